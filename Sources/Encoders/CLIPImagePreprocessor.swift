import Imaging

/// CLIP's image preprocessing as the reference `CLIPImageProcessor` does it: resize the shortest side
/// to `size` with PIL's bicubic filter, center-crop `crop` x `crop`, scale to [0, 1], normalize by
/// the per-channel mean and std, channels first.
public struct CLIPImagePreprocessor: Sendable, Equatable {
    public var size: Int
    public var crop: Int
    public var mean: [Float]
    public var std: [Float]

    /// OpenAI CLIP's values, which every released CLIP checkpoint uses.
    public init(size: Int = 224, crop: Int = 224,
                mean: [Float] = [0.48145466, 0.4578275, 0.40821073],
                std: [Float] = [0.26862954, 0.26130258, 0.27577711]) {
        self.size = size
        self.crop = crop
        self.mean = mean
        self.std = std
    }

    /// Size after the shortest-side resize, computed as the reference does (the long side truncated).
    public func resizedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        if width <= height {
            return (size, Int(Double(size) * Double(height) / Double(width)))
        }
        return (Int(Double(size) * Double(width) / Double(height)), size)
    }

    /// Appends the `3 x crop x crop` pixel values of `image` to `output`.
    public func append(_ image: RGBImage, to output: inout [Float]) {
        let (resized, top, left) = resizedForCrop(image)
        let plane = crop * crop
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: 3 * plane))
        resized.pixels.withUnsafeBufferPointer { pixels in
            output.withUnsafeMutableBufferPointer { out in
                for channel in 0..<3 {
                    let scale = 1 / (255 * std[channel])
                    let shift = mean[channel] / std[channel]
                    for y in 0..<crop {
                        let row = ((top + y) * resized.width + left) * 3 + channel
                        let destination = start + channel * plane + y * crop
                        for x in 0..<crop {
                            out[destination + x] = Float(pixels[row + 3 * x]) * scale - shift
                        }
                    }
                }
            }
        }
    }

    /// Appends the `crop x crop x 3` RGB bytes that `append(_:to:)` would normalize: what the embed
    /// worker is sent, so that it sees exactly the pixels the native towers see.
    public func appendCrop(_ image: RGBImage, to output: inout [UInt8]) {
        let (resized, top, left) = resizedForCrop(image)
        resized.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<crop {
                let row = ((top + y) * resized.width + left) * 3
                output.append(contentsOf: pixels[row..<(row + 3 * crop)])
            }
        }
    }

    /// The shortest-side resize, and where the centered crop starts in it.
    private func resizedForCrop(_ image: RGBImage) -> (image: RGBImage, top: Int, left: Int) {
        let target = resizedSize(width: image.width, height: image.height)
        let resized = (target.width, target.height) == (image.width, image.height)
            ? image : Resampler.resize(image, width: target.width, height: target.height)
        // Larger than the crop on both sides after the resize, so no padding is ever needed.
        return (resized, (resized.height - crop) / 2, (resized.width - crop) / 2)
    }
}
