import Foundation
import LinearAlgebra

/// AdamW as PyTorch defines it (torch.optim.AdamW): bias-corrected moments, and weight decay applied
/// to the parameter itself (decoupled), here to the adapter's weight matrices only.
public struct AdamW {
    public var learningRate: Float
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float
    private var first: AdapterParameters
    private var second: AdapterParameters
    private(set) var step = 0

    public init(learningRate: Float, weightDecay: Float, shapeOf parameters: AdapterParameters) {
        (self.learningRate, self.weightDecay) = (learningRate, weightDecay)
        first = parameters.zeros()
        second = parameters.zeros()
    }

    /// One update of `parameters` by `gradient`. `frozen` tensors (by index in
    /// `AdapterParameters.tensorNames`) keep their values and moments.
    public mutating func update(_ parameters: AdapterParameters, gradient: AdapterParameters, frozen: Set<Int> = []) {
        step += 1
        let correction1 = 1 - Float(pow(Double(beta1), Double(step)))
        let correction2Root = Float((1 - pow(Double(beta2), Double(step))).squareRoot())
        let stepSize = learningRate / correction1
        let decayed: Set<Int> = [2, 4]  // adapter.w1, adapter.w2
        for (index, (value, (grad, (m, v)))) in zip(parameters.tensors, zip(gradient.tensors, zip(first.tensors, second.tensors))).enumerated()
        where !frozen.contains(index) {
            let decay = decayed.contains(index) ? 1 - learningRate * weightDecay : 1
            for i in 0..<value.count {
                let g = grad.base[i]
                if decay != 1 { value.base[i] *= decay }
                m.base[i] = beta1 * m.base[i] + (1 - beta1) * g
                v.base[i] = beta2 * v.base[i] + (1 - beta2) * g * g
                let denominator = v.base[i].squareRoot() / correction2Root + epsilon
                value.base[i] -= stepSize * m.base[i] / denominator
            }
        }
    }
}
