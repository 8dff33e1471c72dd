/// The EXIF orientation tag (0x0112): how the stored pixels must be turned for display.
/// Applied like PIL's `ImageOps.exif_transpose`.
enum EXIFOrientation: Int, Sendable {
    case up = 1, mirrored = 2, down = 3, flipped = 4
    case transposed = 5, rotatedClockwise = 6, transversed = 7, rotatedCounterClockwise = 8

    /// Reads IFD0 of a TIFF-structured EXIF block; anything malformed means `.up`.
    init(tiff bytes: UnsafeBufferPointer<UInt8>) {
        self = .up
        guard bytes.count >= 8 else { return }
        let little: Bool
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= bytes.count else { return nil }
            let a = Int(bytes[at]), b = Int(bytes[at + 1])
            return little ? a | b << 8 : a << 8 | b
        }
        func u32(_ at: Int) -> Int? {
            guard let high = u16(little ? at + 2 : at), let low = u16(little ? at : at + 2) else { return nil }
            return high << 16 | low
        }
        guard let ifd = u32(4), let entries = u16(ifd) else { return }
        for index in 0..<entries {
            let entry = ifd + 2 + index * 12
            guard let tag = u16(entry) else { return }
            if tag == 0x0112 {
                // SHORT (type 3) stored in the first two bytes of the value field.
                guard u16(entry + 2) == 3, let value = u16(entry + 8),
                      let orientation = EXIFOrientation(rawValue: value) else { return }
                self = orientation
                return
            }
        }
    }

    /// Whether width and height trade places.
    var swapsAxes: Bool { rawValue >= 5 }

    /// The displayed image.
    func apply(to image: RGBImage) -> RGBImage {
        if self == .up { return image }
        let w = image.width, h = image.height
        let outWidth = swapsAxes ? h : w
        let outHeight = swapsAxes ? w : h
        return RGBImage(width: outWidth, height: outHeight) { out in
            image.pixels.withUnsafeBufferPointer { input in
                var target = 0
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        let (sx, sy): (Int, Int)
                        switch self {
                        case .up: (sx, sy) = (x, y)
                        case .mirrored: (sx, sy) = (w - 1 - x, y)
                        case .down: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case .flipped: (sx, sy) = (x, h - 1 - y)
                        case .transposed: (sx, sy) = (y, x)
                        case .rotatedClockwise: (sx, sy) = (y, h - 1 - x)
                        case .transversed: (sx, sy) = (w - 1 - y, h - 1 - x)
                        case .rotatedCounterClockwise: (sx, sy) = (w - 1 - y, x)
                        }
                        let source = (sy * w + sx) * 3
                        out[target] = input[source]
                        out[target + 1] = input[source + 1]
                        out[target + 2] = input[source + 2]
                        target += 3
                    }
                }
            }
        }
    }
}
