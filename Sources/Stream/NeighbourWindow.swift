/// Holds back the last `radius` items of a stream so that each can be handed on with the `radius` items before
/// and after it (what `FrameProcessor.temporalRadius` asks for).
///
/// Neighbours come oldest first: the `radius` before, then the `radius` after. At the stream's ends the nearest
/// item stands in for missing ones: the first item for those before it, the last for those after it.
public struct NeighbourWindow<Element> {
    public let radius: Int
    /// Up to `radius` items already handed on, oldest first.
    private var before: [Element] = []
    /// Items waiting for the ones after them, oldest first.
    private var held: [Element] = []

    public init(radius: Int) {
        self.radius = max(0, radius)
    }

    /// Adds the next item; returns the items now complete, each with its neighbours.
    public mutating func push(_ element: Element) -> [(element: Element, neighbours: [Element])] {
        guard radius > 0 else { return [(element, [])] }
        held.append(element)
        return held.count > radius ? [handOnOldest()] : []
    }

    /// At the end of the stream: the items still held, each with its neighbours.
    public mutating func finish() -> [(element: Element, neighbours: [Element])] {
        var out: [(element: Element, neighbours: [Element])] = []
        while !held.isEmpty { out.append(handOnOldest()) }
        return out
    }

    private mutating func handOnOldest() -> (element: Element, neighbours: [Element]) {
        let element = held.removeFirst()
        var after = Array(held.prefix(radius))
        let last = after.last ?? element
        while after.count < radius { after.append(last) }
        let first = before.first ?? element
        let prior = Array(repeating: first, count: radius - before.count) + before
        before.append(element)
        if before.count > radius { before.removeFirst() }
        return (element, prior + after)
    }
}
