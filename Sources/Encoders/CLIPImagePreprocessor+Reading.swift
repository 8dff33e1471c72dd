import Foundation

extension CLIPImagePreprocessor {
    /// Reads `preprocessor_config.json` when the folder has one; otherwise OpenAI's values at the
    /// model's own image size (the tiny test checkpoints use 32 px).
    init(folder: URL, imageSize: Int) throws(EncoderError) {
        let url = folder.appendingPathComponent("preprocessor_config.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            self.init(size: imageSize, crop: imageSize)
            return
        }
        let config: ProcessorConfig
        do {
            config = try JSONDecoder().decode(ProcessorConfig.self, from: data)
        } catch {
            throw .unreadable(path: url.path, reason: "not a preprocessor config: \(error)")
        }
        var result = CLIPImagePreprocessor(size: imageSize, crop: imageSize)
        if let size = config.size?.value { result.size = size }
        if let crop = config.cropSize?.value { result.crop = crop }
        if let mean = config.imageMean, mean.count == 3 { result.mean = mean }
        if let std = config.imageStd, std.count == 3, !std.contains(0) { result.std = std }
        guard result.size >= result.crop, result.crop > 0 else {
            throw .unreadable(path: url.path, reason: "resize \(result.size) is smaller than the crop \(result.crop)")
        }
        self = result
    }
}

/// The fields of a Hugging Face `preprocessor_config.json` that CLIP preprocessing uses. Sizes come
/// as a number or as `{"shortest_edge": n}` / `{"height": n, "width": n}` depending on the version.
private struct ProcessorConfig: Decodable {
    struct Size: Decodable {
        let value: Int?

        init(from decoder: any Decoder) throws {
            if let number = try? decoder.singleValueContainer().decode(Int.self) {
                value = number
                return
            }
            let fields = try decoder.container(keyedBy: Key.self)
            value = try fields.decodeIfPresent(Int.self, forKey: .shortestEdge)
                ?? fields.decodeIfPresent(Int.self, forKey: .height)
        }

        enum Key: String, CodingKey {
            case shortestEdge = "shortest_edge"
            case height
        }
    }

    let size: Size?
    let cropSize: Size?
    let imageMean: [Float]?
    let imageStd: [Float]?

    enum CodingKeys: String, CodingKey {
        case size
        case cropSize = "crop_size"
        case imageMean = "image_mean"
        case imageStd = "image_std"
    }
}
