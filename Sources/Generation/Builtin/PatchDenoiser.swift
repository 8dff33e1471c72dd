import CDiffusion

/// The closed-form denoiser of a finite image set, made local and patch-wise.
///
/// For a set of images the ideal denoiser is a softmax-weighted average of them (Scarvelis et al.
/// 2023), which can only give back the training images. Made local (Kamb & Ganguli 2025), each pixel
/// is denoised on its own: its value is a softmax over *patches* of the references, weighted by how
/// well each patch matches the noisy patch around the pixel, so neighbouring pixels may follow
/// different references and the result is a new mosaic. Candidates are every reference shifted by up
/// to `maxShift` pixels each way (a bounded form of the paper's translation equivariance).
///
/// The patch distance for one candidate is a box sum over the per-pixel squared error, computed with
/// running sums, so the cost per candidate and pixel does not grow with the patch size. The softmax
/// is accumulated online (running maximum), one candidate at a time, in a fixed order. The loops are
/// the C kernel CDiffusion's, which runs eight pixels at a time where the CPU has AVX2 and FMA.
struct PatchDenoiser {
    let side: Int
    let maxShift: Int
    /// Every reference planar (R, G, B) in [-1, 1], reflect-padded by `maxShift` on every side, one
    /// after another, then the slack the kernel may read past the end.
    let references: [Float]
    /// The same with every plane transposed: the kernel's horizontal box sums run down its columns.
    let transposedReferences: [Float]
    let referenceCount: Int
    /// Log prior weight of each reference (the sampler favours references nearer the target).
    let logPriors: [Float]

    init(side: Int, maxShift: Int, references: [[UInt8]], logPriors: [Float]) {
        self.side = side
        self.maxShift = maxShift
        self.logPriors = logPriors
        let planes = references.map { Self.padded($0, side: side, margin: maxShift) }
        self.referenceCount = planes.count
        let padded = side + 2 * maxShift
        let slack = [Float](repeating: 0, count: Int(CDIFFUSION_SLACK))
        self.references = planes.flatMap { $0 } + slack
        self.transposedReferences = planes.flatMap { Self.transposed($0, side: padded) } + slack
    }

    /// Planar floats in [-1, 1] from interleaved RGB8, reflected (without repeating the edge) into a
    /// margin so that shifted candidates never read outside the image.
    static func padded(_ pixels: [UInt8], side: Int, margin: Int) -> [Float] {
        let padded = side + 2 * margin
        var out = [Float](repeating: 0, count: 3 * padded * padded)
        func reflect(_ i: Int) -> Int {
            var i = i
            while i < 0 || i >= side { i = i < 0 ? -i : 2 * (side - 1) - i }
            return i
        }
        for y in 0..<padded {
            let sy = reflect(y - margin)
            for x in 0..<padded {
                let source = (sy * side + reflect(x - margin)) * 3
                for c in 0..<3 {
                    out[c * padded * padded + y * padded + x] = Float(pixels[source + c]) / 127.5 - 1
                }
            }
        }
        return out
    }

    /// Every side x side plane of `planes` transposed.
    static func transposed(_ planes: [Float], side: Int) -> [Float] {
        let plane = side * side
        var out = [Float](repeating: 0, count: planes.count)
        for c in 0..<(planes.count / plane) {
            for y in 0..<side {
                for x in 0..<side { out[c * plane + x * side + y] = planes[c * plane + y * side + x] }
            }
        }
        return out
    }

    /// The estimate of the clean image given `x` (planar, side x side x 3), where
    /// x = signal * clean + noise of variance `variance`; patches are (2 patchRadius + 1)^2.
    /// `vector: false` keeps the kernel on its portable loop, for tests that both paths agree.
    func denoise(_ x: [Float], signal: Float, variance: Float, patchRadius: Int, vector: Bool = true) -> [Float] {
        var clean = [Float](repeating: 0, count: 3 * side * side)
        // The kernel reads exactly that many values of x: another count (a caller's bug) gets a blank
        // estimate rather than a read out of bounds.
        guard x.count == clean.count else { return clean }
        var scratch = [Float](repeating: 0, count: cdiffusion_scratch_count(Int32(side)))
        references.withUnsafeBufferPointer { references in
            transposedReferences.withUnsafeBufferPointer { transposed in
                logPriors.withUnsafeBufferPointer { logPriors in
                    var job = cdiffusion_job(
                        side: Int32(side), max_shift: Int32(maxShift), patch_radius: Int32(patchRadius),
                        reference_count: Int32(min(referenceCount, logPriors.count)), references: references.baseAddress,
                        transposed_references: transposed.baseAddress, log_priors: logPriors.baseAddress,
                        signal: signal, inverse: 1 / (2 * variance))
                    cdiffusion_denoise(&job, x, &clean, &scratch, vector)
                }
            }
        }
        return clean
    }
}
