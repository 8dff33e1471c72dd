/// Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4 and 7.5) with a backtracking line search on
/// the Armijo condition: a deterministic full-batch optimizer for the smooth, convex probe losses.
public struct LBFGS: Sendable {
    public var history = 10
    public var maxIterations = 1000
    /// Stops when the largest gradient component is below this (scipy's `pgtol`).
    public var tolerance = 1e-6

    public init() {}

    public struct Result: Sendable {
        public var x: [Double]
        public var value: Double
        public var iterations: Int
        public var converged: Bool
    }

    /// Minimizes `objective`, which returns the value and the gradient at a point.
    public func minimize(from start: [Double], _ objective: ([Double]) throws -> (value: Double, gradient: [Double])) rethrows -> Result {
        var x = start
        var (value, gradient) = try objective(x)
        var steps: [(s: [Double], y: [Double], rho: Double)] = []
        for iteration in 0..<maxIterations {
            if gradient.map(abs).max() ?? 0 < tolerance {
                return Result(x: x, value: value, iterations: iteration, converged: true)
            }
            // Two-loop recursion: the direction -H g from the stored curvature pairs.
            var q = gradient
            var alphas: [Double] = []
            for pair in steps.reversed() {
                let alpha = pair.rho * Self.dot(pair.s, q)
                alphas.append(alpha)
                for i in q.indices { q[i] -= alpha * pair.y[i] }
            }
            if let last = steps.last {
                let gamma = Self.dot(last.s, last.y) / Self.dot(last.y, last.y)
                for i in q.indices { q[i] *= gamma }
            } else {
                // First step: a gradient step of length at most 1.
                let norm = Self.dot(gradient, gradient).squareRoot()
                if norm > 1 { for i in q.indices { q[i] /= norm } }
            }
            for (pair, alpha) in zip(steps, alphas.reversed()) {
                let beta = pair.rho * Self.dot(pair.y, q)
                for i in q.indices { q[i] += pair.s[i] * (alpha - beta) }
            }
            var direction = q.map { -$0 }
            var slope = Self.dot(gradient, direction)
            if slope >= 0 {
                // Not a descent direction (curvature information went stale): fall back to the gradient.
                direction = gradient.map { -$0 }
                slope = -Self.dot(gradient, gradient)
                steps.removeAll()
            }
            var step = 1.0
            var next = x, nextValue = value, nextGradient = gradient
            var accepted = false
            for _ in 0..<60 {
                next = zip(x, direction).map { $0 + step * $1 }
                (nextValue, nextGradient) = try objective(next)
                if nextValue <= value + 1e-4 * step * slope {
                    accepted = true
                    break
                }
                step *= 0.5
            }
            guard accepted else { return Result(x: x, value: value, iterations: iteration, converged: false) }
            let s = zip(next, x).map { $0 - $1 }, y = zip(nextGradient, gradient).map { $0 - $1 }
            let sy = Self.dot(s, y)
            if sy > 1e-12 {
                steps.append((s, y, 1 / sy))
                if steps.count > history { steps.removeFirst() }
            }
            let improvement = value - nextValue
            (x, value, gradient) = (next, nextValue, nextGradient)
            if improvement <= 1e-15 * max(1, abs(value)) && gradient.map(abs).max() ?? 0 < tolerance * 100 {
                return Result(x: x, value: value, iterations: iteration + 1, converged: true)
            }
        }
        return Result(x: x, value: value, iterations: maxIterations, converged: gradient.map(abs).max() ?? 0 < tolerance)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }
}
