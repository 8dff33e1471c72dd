import Foundation
import Testing
@testable import WebDataset

@Suite struct NPYTests {
    static let shapes: [[Int]] = [[3], [2, 3], [], [0], [1, 2, 3], [384], [12345, 0], [1, 512]]

    @Test func encodeMatchesNumpySave() throws {
        try #require(TestSupport.pythonHas("numpy"), "numpy is not installed")
        let directory = try TestSupport.temporaryDirectory()
        for shape in Self.shapes {
            let count = shape.reduce(1, *)
            let values = (0..<count).map { Float($0) * 0.37 - 11.5 }
            let ours = NPY.encode(values, shape: shape)
            let path = directory + "/ref.npy"
            let script = """
            import numpy as np, sys
            shape = tuple(int(x) for x in sys.argv[2].split(',') if x)
            n = int(np.prod(shape)) if shape else 1
            a = (np.arange(n, dtype=np.float32) * np.float32(0.37) - np.float32(11.5)).reshape(shape)
            np.save(sys.argv[1], a)
            """
            let result = try TestSupport.python(script, [path, shape.map(String.init).joined(separator: ",")])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try TestSupport.readFile(path) == ours, "shape \(shape)")
        }
    }

    @Test func decodesNumpyFiles() throws {
        try #require(TestSupport.pythonHas("numpy"), "numpy is not installed")
        let directory = try TestSupport.temporaryDirectory()
        let script = """
        import numpy as np, sys
        rng = np.random.default_rng(7)
        a = rng.standard_normal((4, 5)).astype('<f4')
        np.save(sys.argv[1] + '/a.npy', a)
        a.tofile(sys.argv[1] + '/a.raw')
        np.save(sys.argv[1] + '/f8.npy', np.zeros(3))
        np.save(sys.argv[1] + '/be.npy', np.zeros(3, dtype='>f4'))
        np.save(sys.argv[1] + '/fortran.npy', np.asfortranarray(np.zeros((2, 3), dtype='<f4')))
        """
        let result = try TestSupport.python(script, [directory])
        #expect(result.status == 0, "\(result.stderr)")
        let decoded = try NPY.decode(try TestSupport.readFile(directory + "/a.npy"))
        #expect(decoded.shape == [4, 5])
        let raw = try TestSupport.readFile(directory + "/a.raw")
        let expected = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(decoded.values == expected)

        #expect(throws: NPYError.unsupportedDType("<f8")) { try NPY.decode(try TestSupport.readFile(directory + "/f8.npy")) }
        #expect(throws: NPYError.unsupportedDType(">f4")) { try NPY.decode(try TestSupport.readFile(directory + "/be.npy")) }
        #expect(throws: NPYError.fortranOrder) { try NPY.decode(try TestSupport.readFile(directory + "/fortran.npy")) }
    }

    @Test func roundTripsAndRejectsDamage() throws {
        let values: [Float] = [1, -2.5, .infinity, 0, 3.25, -0.0]
        let bytes = NPY.encode(values, shape: [2, 3])
        let decoded = try NPY.decode(bytes)
        #expect(decoded.shape == [2, 3])
        #expect(decoded.values.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(bytes.count % 64 == values.count * 4 % 64)

        #expect(throws: NPYError.badMagic) { try NPY.decode(Array("not an npy file".utf8)) }
        #expect(throws: NPYError.payloadSize(expected: 24, actual: 20)) { try NPY.decode(Array(bytes.dropLast(4))) }
        var version = bytes
        version[6] = 9
        #expect(throws: NPYError.unsupportedVersion(major: 9, minor: 0)) { try NPY.decode(version) }
        #expect(throws: NPYError.self) { try NPY.decode(Array(bytes.prefix(40))) }
    }
}
