import Foundation
import LinearAlgebra
import OODCore
import Testing
@testable import Training

/// The loss and its gradient against PyTorch autograd (float64) and against finite differences.
@Suite struct AdapterObjectiveTests {
    @Test(arguments: [(10, 6, 3), (10, 0, 0), (0, 6, 3)])
    func lossAndGradientMatchPyTorch(id: Int, synthetic: Int, gaps: Int) throws {
        let problem = try Reference.problem(id: id, synthetic: synthetic, gaps: gaps)
        let gradient = problem.parameters.zeros()
        let terms = problem.objective.evaluate(problem.parameters, on: problem.batch, gradient: gradient)
        let reference = try Reference.run(["grad"], problem: problem)
        let loss = try reference.floats("loss")[0]
        #expect(abs(Float(terms.total) - loss) < 1e-5 * max(1, abs(loss)), "\(terms) vs \(loss)")
        let parts = try reference.floats("loss_terms")
        let ours = [terms.id, terms.synthetic, terms.gap, terms.diversity, terms.anchor].map(Float.init)
        #expect(Reference.maxAbs(ours, parts) < 1e-5, "\(ours) vs \(parts)")
        for (name, tensor) in zip(AdapterParameters.tensorNames, gradient.tensors) {
            let expected = try reference.floats("grad." + name)
            let size = expected.map(abs).max() ?? 0
            #expect(Reference.maxAbs(tensor.values, expected) < 1e-5 * max(1, size), "\(name)")
        }
    }

    /// Central differences along random directions: the gradient is the loss's derivative.
    @Test func gradientIsTheDerivative() throws {
        let problem = try Reference.problem(seed: 5)
        let gradient = problem.parameters.zeros()
        _ = problem.objective.evaluate(problem.parameters, on: problem.batch, gradient: gradient)
        var random = SeededGenerator(seed: 9)
        for _ in 0..<4 {
            let direction = problem.parameters.zeros()
            var along = 0.0
            for (d, g) in zip(direction.tensors, gradient.tensors) {
                for i in 0..<d.count {
                    d.base[i] = Float(random.nextNormal())
                    along += Double(d.base[i]) * Double(g.base[i])
                }
            }
            let epsilon: Float = 1e-3
            func loss(_ sign: Float) -> Double {
                let moved = problem.parameters.copy()
                for (m, d) in zip(moved.tensors, direction.tensors) { for i in 0..<m.count { m.base[i] += sign * epsilon * d.base[i] } }
                return problem.objective.evaluate(moved, on: problem.batch).total
            }
            let difference = (loss(1) - loss(-1)) / Double(2 * epsilon)
            #expect(abs(difference - along) < 0.01 * max(1, abs(along)), "finite difference \(difference), gradient \(along)")
        }
    }

    /// Full-batch AdamW from the same start reaches the same parameters as torch.optim.AdamW.
    @Test func adamWTrainsLikePyTorch() throws {
        let problem = try Reference.problem(seed: 3)
        let parameters = problem.parameters.copy(), gradient = parameters.zeros()
        var optimizer = AdamW(learningRate: 1e-2, weightDecay: 1e-4, shapeOf: parameters)
        let steps = 60
        var last = 0.0
        for _ in 0..<steps {
            _ = problem.objective.evaluate(parameters, on: problem.batch, gradient: gradient)
            optimizer.update(parameters, gradient: gradient)
        }
        last = problem.objective.evaluate(parameters, on: problem.batch).total
        let first = problem.objective.evaluate(problem.parameters, on: problem.batch).total
        let reference = try Reference.run(["train", String(steps), "0.01"], problem: problem)
        #expect(last < first * 0.8, "training lowers the loss: \(first) -> \(last)")
        #expect(abs(Float(last) - (try reference.floats("loss")[0])) < 1e-3 * Float(max(1, last)))
        for (name, tensor) in zip(AdapterParameters.tensorNames, parameters.tensors) {
            #expect(Reference.maxAbs(tensor.values, try reference.floats(name)) < 2e-3, "\(name)")
        }
    }
}
