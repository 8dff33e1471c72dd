import Foundation
import Imaging
import Testing

// TEMPORARY (perf work): dumps decode outputs of a list for offline comparison.
@Suite struct ZZDumpCorpus {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DUMP_LIST"] != nil))
    func dump() throws {
        let env = ProcessInfo.processInfo.environment
        let list = try String(contentsOfFile: env["DUMP_LIST"]!, encoding: .utf8)
        let out = env["DUMP_OUT"]!
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for (i, path) in list.split(separator: "\n").enumerated() {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: String(path))))
            let d = try ImageDecoder.decode(bytes, options: DecodeOptions(maxSide: 224))
            let header = "\(d.image.width) \(d.image.height)\n"
            try (Data(header.utf8) + Data(d.image.pixels)).write(to: URL(fileURLWithPath: "\(out)/\(i).rgb"))
        }
    }
}
