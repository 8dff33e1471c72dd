import Foundation
import Testing
@testable import Curation

@Suite struct ThresholdTests {
    @Test func parsesTheThreeScales() {
        #expect(Threshold("0.25") == .absolute(0.25))
        #expect(Threshold("-0.1") == .absolute(-0.1))
        #expect(Threshold("q0.5") == .batchQuantile(0.5))
        #expect(Threshold("p95") == .idPercentile(95))
        for bad in ["", "q", "q1.5", "p101", "p-1", "nan", "inf", "x0.3", "0.3q"] {
            #expect(Threshold(bad) == nil, "\(bad)")
        }
        #expect(Threshold("q0.25")?.description == "q0.25")
        #expect(Threshold("p95")?.description == "p95")
    }

    /// numpy.quantile(values, q) (linear interpolation), computed by numpy for these values.
    @Test(arguments: [
        (0.0, Float(-1.0)), (0.25, Float(0.15)), (0.5, Float(0.3)), (0.9, Float(2.2)), (1.0, Float(4.0)),
    ])
    func quantileIsNumpysLinear(q: Double, expected: Float) throws {
        let values: [Float] = [0.3, -1, 4, 0.1, 0.2, 0.5, 1]
        // numpy: np.quantile([0.3,-1,4,0.1,0.2,0.5,1], [0,.25,.5,.9,1]) = [-1, 0.15, 0.3, 2.2, 4]
        let value = try #require(Threshold.quantile(values, q))
        #expect(abs(value - expected) < 1e-6, "q\(q): \(value)")
    }

    @Test func resolvesAgainstTheBatchOrTheIDTable() throws {
        let table = (0...100).map { Float($0) / 100 }
        #expect(try Threshold.idPercentile(95).value(batch: [], idTable: table) == 0.95)
        #expect(try Threshold.batchQuantile(0.5).value(batch: [3, 1, 2], idTable: nil) == 2)
        #expect(try Threshold.absolute(0.4).value(batch: [], idTable: nil) == 0.4)
        #expect(throws: CurationError.noIDScale(.idPercentile(5))) { try Threshold.idPercentile(5).value(batch: [1], idTable: nil) }
        // NaN scores do not move a batch quantile.
        #expect(try Threshold.batchQuantile(1).value(batch: [.nan, 1, 2], idTable: nil) == 2)
    }
}
