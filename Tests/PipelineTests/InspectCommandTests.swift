import Foundation
import Testing

/// `oodsynth inspect` on the small dataset RunCommandTests writes with pipes.
@Suite struct InspectCommandTests {
    @Test func summarizesTheDatasetAndWritesAReportChromiumRenders() throws {
        let dataset = try RunCommandTests.piped.get()
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("oodsynth inspect '\(dataset.path)' --html '\(dir.path)/report.html'")
        #expect(run.status == 0, "\(run.stderr)")
        let text = String(decoding: run.stdout, as: UTF8.self)
        let count = try Shell.run("python3 -c \"import json,sys; print(json.load(open(sys.argv[1]))['totalCount'])\" '\(dataset.path)/manifest.json'")
        let total = String(decoding: count.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(text.contains("dataset \(dataset.path): \(total) samples"), "\(text)")
        #expect(text.contains("every shard matches its sha256"), "\(text)")
        for line in ["stages: decode > embed > gaps > caption > generate > filter > write", "gap method: ", "caption family: ", "alignment: min "] {
            #expect(text.contains(line), "\(line) missing from \(text)")
        }
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.components(separatedBy: "data:image/png;base64,").count - 1 == Int(total), "one image per sample (all fit the sheet)")

        // Headless Chromium renders it; the screenshot must show more than a blank page.
        guard (try Shell.run("command -v chromium")).status == 0 else {
            Issue.record("chromium is not installed (scripts/setup test installs it)")
            return
        }
        let shot = try Shell.run("""
            cd '\(dir.path)' && timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
              --window-size=1000,900 --screenshot=shot.png report.html > /dev/null 2>&1; \
            python3 -c "from PIL import Image; im = Image.open('shot.png').convert('RGB'); print(len(set(im.getdata())))"
            """)
        let colours = Int(String(decoding: shot.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(colours > 500, "the screenshot has \(colours) colours: \(shot.stderr)")
    }

    @Test func aDamagedShardIsReportedAndFails() throws {
        let dataset = try RunCommandTests.piped.get()
        let dir = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Shell.run("""
            cp -r '\(dataset.path)' '\(dir.path)/copy' && printf 'X' | dd of='\(dir.path)/copy/ood-000000.tar' bs=1 seek=600 conv=notrunc 2>/dev/null
            oodsynth inspect '\(dir.path)/copy'
            """)
        #expect(run.status != 0)
        #expect(String(decoding: run.stdout, as: UTF8.self).contains("DAMAGED: ood-000000.tar"), "\(run.stderr)")
        let missing = try Shell.run("oodsynth inspect '\(dir.path)'")
        #expect(missing.status != 0 && missing.stderr.contains("no manifest.json"), "\(missing.stderr)")
        #expect(missing.stderr.split(separator: "\n").count == 1)
    }
}
