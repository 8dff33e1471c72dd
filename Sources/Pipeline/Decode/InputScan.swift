/// What a first pass over the inputs learns before any sample is written: the class list (the stream
/// header needs it first, and `cls` indexes it) and the sidecar captions, which an archive may store
/// before or after their image.
struct InputScan {
    /// Sorted class names.
    private(set) var classes: [String] = []
    private(set) var imageCount = 0
    /// Caption and `.cls` sidecar texts by input index and stem.
    private var captions: [SidecarKey: String] = [:]
    private var classLabels: [SidecarKey: String] = [:]

    struct SidecarKey: Hashable {
        let input: Int
        let stem: String
    }

    /// Captions beyond this are not captions but stray documents; they are not kept in memory.
    static let maxSidecarBytes = 64 * 1024

    init(inputs: [InputWalker], labelFrom: LabelSource) throws {
        var imageStems: [(input: Int, entry: (stem: String, parent: String?))] = []
        for (index, walker) in inputs.enumerated() {
            // A broken archive ends its scan quietly: the decoding pass emits what comes before the
            // break and then reports it, so the scan must not stop the stage first.
            try? walker.walk { entry in
                guard case .file = entry.kind else { return }
                if entry.isImage {
                    imageStems.append((index, (entry.stem, entry.parentName)))
                } else if entry.isCaption || entry.isClassLabel,
                          let bytes = try? entry.read(Self.maxSidecarBytes),
                          let text = String(validating: bytes, as: UTF8.self)?.trimmingWhitespace(), !text.isEmpty {
                    let key = SidecarKey(input: index, stem: entry.stem)
                    if entry.isClassLabel {
                        classLabels[key] = text
                    } else if captions[key] == nil || entry.fileExtension == "txt" {
                        captions[key] = text
                    }
                }
            }
        }
        imageCount = imageStems.count
        var names = Set<String>()
        for image in imageStems {
            if let label = label(input: image.input, stem: image.entry.stem, parent: image.entry.parent, from: labelFrom) {
                names.insert(label)
            }
        }
        // Labels from `.cls` sidecars are numbers: keep their numeric order so `10` follows `9`.
        let numbers = names.compactMap { Int($0) }
        classes = numbers.count == names.count
            ? numbers.sorted().map(String.init)
            : names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    func caption(input: Int, stem: String) -> String? {
        captions[SidecarKey(input: input, stem: stem)]
    }

    /// The label of an image: its folder's name, or for flat WebDataset shards, its `.cls` sidecar.
    func label(input: Int, stem: String, parent: String?, from source: LabelSource) -> String? {
        switch source {
        case .none: nil
        case .parentDirectory: parent ?? classLabels[SidecarKey(input: input, stem: stem)]
        }
    }
}
