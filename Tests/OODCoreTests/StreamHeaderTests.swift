import Foundation
import Testing
@testable import OODCore

@Suite struct StreamHeaderTests {
    @Test func roundTripsThroughItsSample() throws {
        let header = StreamHeader(stages: [StageRecord(name: "decode", options: ["max-side": "512"])], classes: ["cat", "dog"])
        let sample = try header.sample()
        #expect(sample.key == "__stream__")
        #expect(sample.isStreamHeader)
        #expect(try StreamHeader(sample: sample) == header)
    }

    @Test func encodingIsCanonical() throws {
        let a = StageRecord(name: "write", options: ["b": "2", "a": "1", "c": "3"])
        let first = try StreamHeader(stages: [a]).sample()
        let second = try StreamHeader(stages: [a]).sample()
        #expect(first == second)
        let text = String(decoding: first["json"]!, as: UTF8.self)
        #expect(text.contains(#"{"a":"1","b":"2","c":"3"}"#), "\(text)")
    }

    @Test func refusesOtherStreams() throws {
        #expect(throws: StreamError.missingHeader(found: "000000000")) {
            try StreamHeader(sample: Sample(key: "000000000", fields: ["json": Array("{}".utf8)]))
        }
        #expect(throws: StreamError.self) {
            try StreamHeader(sample: Sample(key: "__stream__", fields: ["json": Array("{not json".utf8)]))
        }
        let future = #"{"format":"oodsynth-stream","version":99,"stages":[],"classes":[]}"#
        #expect(throws: StreamError.unsupportedVersion(99)) {
            try StreamHeader(sample: Sample(key: "__stream__", fields: ["json": Array(future.utf8)]))
        }
        let other = #"{"format":"something-else","version":1,"stages":[],"classes":[]}"#
        #expect(throws: StreamError.self) {
            try StreamHeader(sample: Sample(key: "__stream__", fields: ["json": Array(other.utf8)]))
        }
    }

    @Test func appendingKeepsEarlierStages() {
        let header = StreamHeader(stages: [StageRecord(name: "decode")], classes: ["x"])
        let later = header.appending(StageRecord(name: "write"))
        #expect(later.stages.map(\.name) == ["decode", "write"])
        #expect(later.classes == ["x"])
    }
}
