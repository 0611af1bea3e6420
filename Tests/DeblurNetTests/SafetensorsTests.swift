import Foundation
import Testing
@testable import DeblurNet

@Suite struct SafetensorsTests {
    @Test("reads a file written by safetensors.torch.save_file (F32, F16, BF16, F64, I64, metadata)")
    func readsTorchFile() throws {
        let f = try Golden.load("torch_written")
        let ref = try f.tensor("ref", shape: [3, 4])
        #expect(try f.tensor("as_f32").maxAbsDifference(ref) == 0)
        #expect(try f.tensor("as_f64").maxAbsDifference(ref) == 0)
        #expect(try f.tensor("as_f16").maxAbsDifference(try f.tensor("ref_f16_roundtrip")) == 0)
        #expect(try f.tensor("as_bf16").maxAbsDifference(try f.tensor("ref_bf16_roundtrip")) == 0)
        #expect(try f.tensor("count_i64").shape == [] && f.tensors["count_i64"]!.scalar == 7)
        #expect(try f.tensor("nested.name.weight").array == [0, 1, 2, 3, 4, 5])
        #expect(f.metadata == ["arch": "{\"width\": 32}", "note": "written by torch"])
    }

    @Test("our F16/BF16 rounding equals torch's .half()/.bfloat16()")
    func halfRoundingMatchesTorch() throws {
        let f = try Golden.load("torch_written")
        let ref = try f.tensor("ref")
        for (dtype, key) in [(SafetensorsDType.f16, "ref_f16_roundtrip"), (.bf16, "ref_bf16_roundtrip")] {
            let back = try Safetensors.decode(Safetensors.encode(["t": ref], dtype: dtype))
            #expect(try back.tensor("t").maxAbsDifference(try f.tensor(key)) == 0, "\(dtype)")
        }
    }

    @Test("round trip keeps values, shapes and metadata")
    func roundTrip() throws {
        let a = Tensor.normal([2, 3, 4, 5], seed: 1), s = Tensor(scalar: 3.5)
        let data = Safetensors.encode(["a": a, "b.c": s], metadata: ["config": "{\"x\": [1, 2]}", "q\"uote": "new\nline"])
        #expect(data.count % 4 == 0)
        let f = try Safetensors.decode(data)
        #expect(try f.tensor("a").maxAbsDifference(a) == 0 && f.tensors["a"]!.shape == [2, 3, 4, 5])
        #expect(f.tensors["b.c"]!.shape == [] && f.tensors["b.c"]!.scalar == 3.5)
        #expect(f.metadata == ["config": "{\"x\": [1, 2]}", "q\"uote": "new\nline"])
        let h = try Safetensors.decode(Safetensors.encode(["a": a], dtype: .f16))
        #expect(relativeError(h.tensors["a"]!, a) < 1e-3)
    }

    @Test("the metadata alone is read from the header, as the whole file gives it; a cut header is an error")
    func metadataOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-meta-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.safetensors")
        let meta = ["config": "{\"x\": [1, 2]}", "step": "12"]
        try Safetensors.write(["a": Tensor.normal([64, 64], seed: 2)], metadata: meta, to: url)
        #expect(try Safetensors.readMetadata(contentsOf: url) == meta)
        #expect(try Safetensors.readMetadata(contentsOf: url) == Safetensors.read(contentsOf: url).metadata)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["m.safetensors"], "no temporary file left")
        try Safetensors.encode(["a": Tensor.ones([2])]).write(to: url)
        #expect(try Safetensors.readMetadata(contentsOf: url) == [:])
        let whole = Safetensors.encode(["a": Tensor.ones([2])], metadata: meta)
        try whole.prefix(20).write(to: url)
        #expect(throws: SafetensorsError.self) { try Safetensors.readMetadata(contentsOf: url) }
        try Data("\u{89}PNG\r\n\u{1a}\n....".utf8).write(to: url)
        #expect(throws: SafetensorsError.self) { try Safetensors.readMetadata(contentsOf: url) }
        #expect(throws: SafetensorsError.self) { try Safetensors.readMetadata(contentsOf: dir.appendingPathComponent("none")) }
    }

    @Test("corrupt, truncated and mismatched files give typed errors")
    func errors() throws {
        let good = Safetensors.encode(["w": Tensor.ones([4, 4])])
        #expect(throws: SafetensorsError.self) { try Safetensors.decode(Data([1, 2, 3])) }
        #expect(throws: SafetensorsError.self) { try Safetensors.decode(good.prefix(good.count - 4)) }
        // A cut header (its JSON starts, the length says more) is truncation; a PNG read as weights is not safetensors.
        var badLen = good; badLen[0] = 0xff; badLen[1] = 0xff
        #expect(throws: SafetensorsError.truncated("header of 65535 bytes, file has \(good.count - 8) after the length")) {
            try Safetensors.decode(badLen)
        }
        let png = Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52])
        #expect(throws: SafetensorsError.invalidHeader("not a safetensors file (no JSON header after the 8-byte length)")) {
            try Safetensors.decode(png)
        }
        func file(_ header: String, dataBytes: Int) -> Data {
            var h = Array(header.utf8); while h.count % 8 != 0 { h.append(0x20) }
            var d = Data((0..<8).map { UInt8((UInt64(h.count) >> (8 * UInt64($0))) & 0xff) })
            d.append(contentsOf: h); d.append(Data(count: dataBytes)); return d
        }
        #expect(throws: SafetensorsError.unsupportedDType(key: "w", dtype: "U8")) {
            try Safetensors.decode(file(#"{"w":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}"#, dataBytes: 2))
        }
        #expect(throws: SafetensorsError.sizeMismatch(key: "w", shape: [3], dtype: "F32", bytes: 8)) {
            try Safetensors.decode(file(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, dataBytes: 8))
        }
        #expect(throws: SafetensorsError.dataOutOfBounds(key: "w")) {
            try Safetensors.decode(file(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, dataBytes: 8))
        }
        #expect(throws: SafetensorsError.self) { try Safetensors.decode(file("{not json", dataBytes: 0)) }
        #expect(throws: SafetensorsError.self) {   // element count overflows Int
            try Safetensors.decode(file(#"{"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}}"#, dataBytes: 8))
        }
        let f = try Safetensors.decode(good)
        #expect(throws: SafetensorsError.missingKey("v")) { try f.tensor("v") }
        #expect(throws: SafetensorsError.shapeMismatch(key: "w", expected: [16], found: [4, 4])) { try f.tensor("w", shape: [16]) }
    }

    @Test("module save/load maps state-dict names and rejects wrong shapes and missing keys")
    func moduleStateDict() throws {
        let net = Sequential([Conv2d(3, 4, kernelSize: 3, padding: 1, seed: 1), BatchNorm2d(4), Activation.relu(), Conv2d(4, 2, kernelSize: 1, seed: 2)])
        #expect(net.stateDict().keys.sorted() == ["0.bias", "0.weight", "1.bias", "1.running_mean", "1.running_var", "1.weight", "3.bias", "3.weight"])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("deblurnet-test-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try net.save(to: url, metadata: ["arch": "test"])
        let other = Sequential([Conv2d(3, 4, kernelSize: 3, padding: 1, seed: 7), BatchNorm2d(4), Activation.relu(), Conv2d(4, 2, kernelSize: 1, seed: 8)])
        let md = try other.load(from: url)
        #expect(md["arch"] == "test")
        for (k, v) in net.stateDict() { #expect(other.stateDict()[k]!.maxAbsDifference(v) == 0, "\(k)") }
        var d = net.stateDict()
        d["0.weight"] = .zeros([4, 3, 1, 1])
        #expect(throws: StateDictError.shapeMismatch(key: "0.weight", expected: [4, 3, 3, 3], found: [4, 3, 1, 1])) { try other.loadStateDict(d) }
        d = net.stateDict(); d["1.num_batches_tracked"] = Tensor(scalar: 3)
        try other.loadStateDict(d)   // PyTorch's counter is ignored
        d.removeValue(forKey: "3.bias")
        #expect(throws: StateDictError.missingKey("3.bias")) { try other.loadStateDict(d) }
        d = net.stateDict(); d["extra"] = Tensor(scalar: 1)
        #expect(throws: StateDictError.unexpectedKey("extra")) { try other.loadStateDict(d) }
        d = net.stateDict(); d["3.weight"] = Tensor(shape: [2, 4, 1, 1], data: [0, 1, .nan, 0, 0, 0, 0, 0])
        #expect(throws: StateDictError.nonFinite("3.weight")) { try other.loadStateDict(d) }
        d["3.weight"] = Tensor(shape: [2, 4, 1, 1], data: [0, 1, .infinity, 0, 0, 0, 0, 0])
        #expect(throws: StateDictError.nonFinite("3.weight")) { try other.loadStateDict(d) }
    }
}
