import Testing
@testable import OODCore

@Suite struct SampleTests {
    @Test func fieldsStaySortedWhateverTheInsertOrder() {
        var sample = Sample(key: "000000001", fields: ["txt": [1], "jpg": [2]])
        sample["img.npy"] = [3]
        sample["cls"] = [4]
        #expect(sample.fields.map(\.ext) == ["cls", "img.npy", "jpg", "txt"])
        sample["jpg"] = nil
        #expect(sample.fields.map(\.ext) == ["cls", "img.npy", "txt"])
        sample["txt"] = [9]
        #expect(sample["txt"] == [9])
        #expect(sample.byteCount == 3)
    }

    @Test func captionMustBeValidUTF8() {
        #expect(Sample(key: "a", fields: ["txt": Array("café".utf8)]).text == "café")
        #expect(Sample(key: "a", fields: ["txt": [0xFF, 0xFE]]).text == nil)
    }

    @Test func keysArePaddedSortableAndDotFree() {
        #expect(SampleKey.make(index: 42) == "000000042")
        #expect(SampleKey.make(index: 9) < SampleKey.make(index: 10))
        #expect(SampleKey.make(index: 1_234_567_890) == "1234567890")
        #expect(SampleKey.derived(from: "000000042", suffix: "g3") == "000000042_g3")
        #expect(SampleKey.isValid("000000042_g3"))
        #expect(!SampleKey.isValid("a.b"))
        #expect(!SampleKey.isValid("a/b"))
        #expect(!SampleKey.isValid(""))
    }

    @Test func skipTallySummarizesByReason() {
        var tally = SkipTally()
        #expect(tally.summary == "none")
        tally.add("corrupt")
        tally.add("not-an-image")
        tally.add("corrupt")
        #expect(tally.total == 3)
        #expect(tally.summary == "corrupt 2, not-an-image 1")
    }
}
