import Testing
@testable import Stream

@Test func passThroughKeepsPixels() throws {
    let f = Frame(width: 2, height: 1, pixels: [0, 1, 0.5, 0.25, 0.75, 1], pts: 7, index: 3)
    #expect(try PassThrough().process(f) == f)
}
