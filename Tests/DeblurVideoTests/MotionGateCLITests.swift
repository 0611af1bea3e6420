import Foundation
import MediaTestSupport
import Testing

/// `deblur`'s motion gate (on by default for video): a still shot passes as decoded, a pan is processed.
@Suite struct MotionGateCLITests {
    let cli = EvalCompareTests()

    /// The largest per-frame MSE (8-bit units) between two clips, as `eval` scores them.
    func worstMSE(_ a: URL, _ b: URL) throws -> Double {
        let r = try cli.run(["eval", a.path, b.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try #require(cli.json(r.stdout)["frames"] as? [[String: Any]])
        #expect(rows.count == 6)
        return rows.map { $0["mse"] as? Double ?? .infinity }.max() ?? .infinity
    }

    @Test func aStillShotPassesAsDecodedAndAPanIsProcessed() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let still = dir.appendingPathComponent("still.mkv"), pan = dir.appendingPathComponent("pan.mkv")
        // The same picture six times, and a crop moving 6 px a frame across a larger one.
        try cli.makeRGBClip(still, source: "testsrc2=s=96x64:r=25", frames: 1, filter: "loop=loop=5:size=1")
        try cli.makeRGBClip(pan, source: "testsrc2=s=192x64:r=25", frames: 6, filter: "crop=96:64:6*n:0")
        func deblur(_ input: URL, _ name: String, _ extra: [String] = []) throws -> URL {
            let out = dir.appendingPathComponent(name)
            let r = try cli.run([input.path, "-o", out.path, "--method", "unsharp", "--codec", "ffv1"] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            return out
        }
        let stillGated = try deblur(still, "still-gated.mkv")
        let stillPlain = try deblur(still, "still-plain.mkv", ["--no-motion-gate"])
        #expect(try worstMSE(still, stillGated) < 0.5, "nothing moved: the frames pass as decoded")
        #expect(try worstMSE(still, stillPlain) > 5, "without the gate, unsharp masking changes them")
        let panGated = try deblur(pan, "pan-gated.mkv")
        let panPlain = try deblur(pan, "pan-plain.mkv", ["--no-motion-gate"])
        #expect(try worstMSE(pan, panGated) > 5, "a pan is processed")
        #expect(try worstMSE(panPlain, panGated) < 1, "and where it moves, as without the gate")
    }
}
