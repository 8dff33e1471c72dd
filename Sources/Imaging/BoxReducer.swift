import CCodecs

/// Streaming integer-factor box reduction (like PIL's `reduce`), fed one decoded row at a time,
/// so a large image never exists at full size. Rows may be RGB or RGBA (composited on white).
/// Dense rows arrive top to bottom and need one row of sums; sparse rows (Adam7 passes) arrive
/// in any order and keep sums for the whole reduced image, which is small by construction.
struct BoxReducer {
    let sourceWidth: Int
    let sourceHeight: Int
    let factorX: Int
    let factorY: Int
    let width: Int
    let height: Int
    private let sparse: Bool
    private var pixels: [UInt8]
    private var sums: [UInt32]

    /// Largest factor whose box sums (factor^2 * 255) still fit in UInt32.
    static let maxFactor = 4096

    /// Picks factors that leave at least `gap` times the target size for the final resize.
    init(sourceWidth: Int, sourceHeight: Int, targetWidth: Int, targetHeight: Int,
         gap: Double, sparse: Bool) {
        let fx = Int(Double(sourceWidth) / Double(max(targetWidth, 1)) / gap)
        let fy = Int(Double(sourceHeight) / Double(max(targetHeight, 1)) / gap)
        self.init(sourceWidth: sourceWidth, sourceHeight: sourceHeight,
                  factorX: min(max(fx, 1), Self.maxFactor), factorY: min(max(fy, 1), Self.maxFactor),
                  sparse: sparse)
    }

    init(sourceWidth: Int, sourceHeight: Int, factorX: Int, factorY: Int, sparse: Bool) {
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.factorX = factorX
        self.factorY = factorY
        self.sparse = sparse
        width = (sourceWidth + factorX - 1) / factorX
        height = (sourceHeight + factorY - 1) / factorY
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        let identity = factorX == 1 && factorY == 1
        sums = identity ? [] : [UInt32](repeating: 0, count: width * 3 * (sparse ? height : 1))
    }

    /// The source region the reduced image covers, in reduced pixels (the last box may be partial).
    var sourceExtent: (width: Double, height: Double) {
        (Double(sourceWidth) / Double(factorX), Double(sourceHeight) / Double(factorY))
    }

    /// Adds source row `y` (all `sourceWidth` pixels, `channels` 3 or 4).
    mutating func addRow(_ row: UnsafePointer<UInt8>, channels: Int, y: Int) {
        let count = sourceWidth
        if factorX == 1 && factorY == 1 {
            pixels.withUnsafeMutableBufferPointer { out in
                let target = out.baseAddress! + y * count * 3
                if channels == 4 {
                    ccodecs_composite_row(row, target, count)
                } else {
                    target.update(from: row, count: count * 3)
                }
            }
            return
        }
        let factor = UInt32(factorX)
        sums.withUnsafeMutableBufferPointer { acc in
            ccodecs_accumulate_row(row, Int32(channels), count, factor, acc.baseAddress!)
        }
        if (y + 1) % factorY == 0 || y == sourceHeight - 1 {
            let boxRow = y / factorY
            let rowsInBox = y - boxRow * factorY + 1
            flush(sumsRow: 0, into: boxRow, rowsInBox: rowsInBox, clear: true)
        }
    }

    /// Adds an interlace pass row: pixel i sits at (xStart + i * xStep, y).
    mutating func addPassRow(_ row: UnsafePointer<UInt8>, channels: Int, count: Int, y: Int,
                             xStart: Int, xStep: Int) {
        if factorX == 1 && factorY == 1 {
            pixels.withUnsafeMutableBufferPointer { out in
                ccodecs_scatter_row(row, Int32(channels), count, UInt32(xStart), UInt32(xStep),
                                    out.baseAddress! + y * sourceWidth * 3)
            }
            return
        }
        let offset = (y / factorY) * width * 3
        let factor = UInt32(factorX)
        sums.withUnsafeMutableBufferPointer { acc in
            ccodecs_accumulate_sparse(row, Int32(channels), count, UInt32(xStart), UInt32(xStep),
                                      factor, acc.baseAddress! + offset)
        }
    }

    /// The reduced image (the full image when both factors are 1).
    mutating func finish() -> RGBImage {
        if sparse && !(factorX == 1 && factorY == 1) {
            for boxRow in 0..<height {
                let rowsInBox = min(factorY, sourceHeight - boxRow * factorY)
                flush(sumsRow: boxRow, into: boxRow, rowsInBox: rowsInBox, clear: false)
            }
        }
        return RGBImage(width: width, height: height, exactPixels: pixels)
    }

    /// Turns one row of box sums into rounded means.
    private mutating func flush(sumsRow: Int, into boxRow: Int, rowsInBox: Int, clear: Bool) {
        let width = width
        let fx = factorX
        let sourceWidth = sourceWidth
        pixels.withUnsafeMutableBufferPointer { out in
            sums.withUnsafeMutableBufferPointer { acc in
                let sum = acc.baseAddress! + sumsRow * width * 3
                let target = out.baseAddress! + boxRow * width * 3
                let full = UInt32(fx * rowsInBox)
                for bx in 0..<width {
                    let count = bx == width - 1 ? UInt32((sourceWidth - bx * fx) * rowsInBox) : full
                    let half = count / 2
                    for c in 0..<3 {
                        target[bx * 3 + c] = UInt8(truncatingIfNeeded: (sum[bx * 3 + c] &+ half) / count)
                    }
                }
                if clear { sum.update(repeating: 0, count: width * 3) }
            }
        }
    }
}
