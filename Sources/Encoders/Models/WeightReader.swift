import LinearAlgebra

/// Named weights of one model from its safetensors file, every tensor checked against the shape
/// the config implies, so a wrong checkpoint fails at load time with the tensor's name.
struct WeightReader {
    let tensors: SafeTensors
    /// Prepended to every name, e.g. `vision_model.`.
    let prefix: String

    init(tensors: SafeTensors, prefix: String = "") {
        self.tensors = tensors
        self.prefix = prefix
    }

    func scoped(_ scope: String) -> WeightReader {
        WeightReader(tensors: tensors, prefix: prefix + scope)
    }

    func contains(_ name: String) -> Bool {
        tensors.entries[prefix + name] != nil
    }

    func matrix(_ name: String, shape: [Int]) throws(TransformerError) -> Matrix {
        do { return try tensors.matrix(prefix + name, shape: shape) } catch { throw .weights(error) }
    }

    func vector(_ name: String, count: Int) throws(TransformerError) -> [Float] {
        do { return try tensors.floats(prefix + name, shape: [count]) } catch { throw .weights(error) }
    }

    /// `name.weight` [outputs, inputs] and, when `bias`, `name.bias` [outputs].
    func linear(_ name: String, inputs: Int, outputs: Int, bias: Bool = true) throws(TransformerError) -> Linear {
        let weight = try matrix(name + ".weight", shape: [outputs, inputs])
        let values = bias ? try vector(name + ".bias", count: outputs) : nil
        do { return try Linear(weight: weight, bias: values) } catch { throw .shape(error) }
    }

    func layerNorm(_ name: String, width: Int, epsilon: Float) throws(TransformerError) -> LayerNorm {
        let weight = try vector(name + ".weight", count: width)
        let bias = try vector(name + ".bias", count: width)
        do { return try LayerNorm(weight: weight, bias: bias, epsilon: epsilon) } catch { throw .shape(error) }
    }
}
