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
    /// The reduced image is stored transposed (row x holds column x, top to bottom), ready for
    /// `Resampler.resize(transposed:...)`. Chosen for dense rows when the resize will filter
    /// horizontally: writing each reduced pixel to its transposed place costs about the same.
    let transposed: Bool
    private let sparse: Bool
    private var pixels: [UInt8]
    private var sums: [UInt32]
    /// Dense rows of one box row added per column (see ccodecs_column_add), when they fit 16 bits.
    private var columns: [UInt16]
    private var scratch: [UInt8]

    /// Largest factor whose box sums (factor^2 * 255) still fit in UInt32.
    static let maxFactor = 4096
    /// Full-size rows gathered before they are written as the tops of columns (transposed).
    static let bandRows = 16
    /// Most rows whose 8-bit values a 16-bit column sum holds.
    static let maxColumnRows = 257

    /// Picks factors that leave at least `gap` times the target size for the final resize.
    init(sourceWidth: Int, sourceHeight: Int, targetWidth: Int, targetHeight: Int,
         gap: Double, sparse: Bool) {
        let fx = Int(Double(sourceWidth) / Double(max(targetWidth, 1)) / gap)
        let fy = Int(Double(sourceHeight) / Double(max(targetHeight, 1)) / gap)
        let factorX = min(max(fx, 1), Self.maxFactor)
        let width = (sourceWidth + factorX - 1) / factorX
        let horizontal = Resampler.needsHorizontalPass(
            imageWidth: width, sourceWidth: Double(sourceWidth) / Double(factorX), width: targetWidth)
        self.init(sourceWidth: sourceWidth, sourceHeight: sourceHeight,
                  factorX: factorX, factorY: min(max(fy, 1), Self.maxFactor),
                  sparse: sparse, transposed: !sparse && horizontal)
    }

    init(sourceWidth: Int, sourceHeight: Int, factorX: Int, factorY: Int, sparse: Bool,
         transposed: Bool = false) {
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.factorX = factorX
        self.factorY = factorY
        self.sparse = sparse
        self.transposed = transposed && !sparse
        width = (sourceWidth + factorX - 1) / factorX
        height = (sourceHeight + factorY - 1) / factorY
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        let identity = factorX == 1 && factorY == 1
        sums = identity ? [] : [UInt32](repeating: 0, count: width * 3 * (sparse ? height : 1))
        // Transposed: one row for means on their way to columns, or a band of whole rows.
        scratch = !self.transposed ? [] : [UInt8](repeating: 0, count: width * 3 * (identity ? Self.bandRows : 1))
        let columnSums = !sparse && !identity && factorY <= Self.maxColumnRows
        // 4 per pixel for RGBA rows; RGB rows use 3 and ccodecs_column_flush reads one past them.
        columns = columnSums ? [UInt16](repeating: 0, count: sourceWidth * 4) : []
    }

    /// Where reduced row `y` starts in `pixels`, and the distance between its pixels.
    private func placement(row y: Int) -> (offset: Int, step: Int) {
        transposed ? (y * 3, height * 3) : (y * width * 3, 3)
    }

    /// The source region the reduced image covers, in reduced pixels (the last box may be partial).
    var sourceExtent: (width: Double, height: Double) {
        (Double(sourceWidth) / Double(factorX), Double(sourceHeight) / Double(factorY))
    }

    /// Adds source row `y` (all `sourceWidth` pixels, `channels` 3 or 4).
    mutating func addRow(_ row: UnsafePointer<UInt8>, channels: Int, y: Int) {
        let count = sourceWidth
        if factorX == 1 && factorY == 1 && transposed {
            // Copying rows into a band, then the band into columns, touches each column's cache
            // lines once per band instead of once per row.
            let band = y % Self.bandRows
            let height = height
            scratch.withUnsafeMutableBufferPointer { staged in
                let base = staged.baseAddress!
                ccodecs_store_row(row, Int32(channels), count, base + band * count * 3, 3, 0)
                if band == Self.bandRows - 1 || y == height - 1 {
                    pixels.withUnsafeMutableBufferPointer { out in
                        ccodecs_transpose_rows(base, count, band + 1, out.baseAddress! + (y - band) * 3,
                                               height * 3, y + 1 < height ? 1 : 0)
                    }
                }
            }
            return
        }
        if factorX == 1 && factorY == 1 {
            let (offset, step) = placement(row: y)
            pixels.withUnsafeMutableBufferPointer { out in
                ccodecs_store_row(row, Int32(channels), count, out.baseAddress! + offset, step,
                                  y + 1 < height ? 1 : 0)
            }
            return
        }
        let endsBox = (y + 1) % factorY == 0 || y == sourceHeight - 1
        if !columns.isEmpty {
            columns.withUnsafeMutableBufferPointer { columns in
                ccodecs_column_add(row, Int32(channels), count, columns.baseAddress!)
            }
            if endsBox {
                let boxRow = y / factorY
                flushColumns(channels: channels, into: boxRow, rowsInBox: y - boxRow * factorY + 1)
            }
            return
        }
        let factor = UInt32(factorX)
        sums.withUnsafeMutableBufferPointer { acc in
            ccodecs_accumulate_row(row, Int32(channels), count, factor, acc.baseAddress!)
        }
        if endsBox {
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

    /// The reduced image (the full image when both factors are 1), transposed if `transposed`.
    mutating func finish() -> RGBImage {
        if sparse && !(factorX == 1 && factorY == 1) {
            for boxRow in 0..<height {
                let rowsInBox = min(factorY, sourceHeight - boxRow * factorY)
                flush(sumsRow: boxRow, into: boxRow, rowsInBox: rowsInBox, clear: false)
            }
        }
        if transposed { return RGBImage(width: height, height: width, exactPixels: pixels) }
        return RGBImage(width: width, height: height, exactPixels: pixels)
    }

    /// Turns one box row of column sums into rounded means.
    private mutating func flushColumns(channels: Int, into boxRow: Int, rowsInBox: Int) {
        let (offset, step) = placement(row: boxRow)
        let sourceWidth = sourceWidth
        let factor = UInt32(factorX)
        pixels.withUnsafeMutableBufferPointer { out in
            sums.withUnsafeMutableBufferPointer { boxes in
                columns.withUnsafeMutableBufferPointer { columns in
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        ccodecs_column_flush(columns.baseAddress!, Int32(channels), sourceWidth, factor,
                                             UInt32(rowsInBox), boxes.baseAddress!,
                                             out.baseAddress! + offset, step, scratch.baseAddress)
                    }
                }
            }
        }
    }

    /// Turns one row of box sums into rounded means.
    private mutating func flush(sumsRow: Int, into boxRow: Int, rowsInBox: Int, clear: Bool) {
        let width = width
        let (offset, step) = placement(row: boxRow)
        let full = UInt32(factorX * rowsInBox)
        let last = UInt32((sourceWidth - (width - 1) * factorX) * rowsInBox)
        pixels.withUnsafeMutableBufferPointer { out in
            sums.withUnsafeMutableBufferPointer { acc in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    let sum = acc.baseAddress! + sumsRow * width * 3
                    ccodecs_box_means(sum, width, full, last, out.baseAddress! + offset, step,
                                      scratch.baseAddress)
                    if clear { sum.update(repeating: 0, count: width * 3) }
                }
            }
        }
    }
}
