import Testing

@testable import HookEngine

@Suite struct HookGraphTests {
    private func hook(_ id: String, _ dependsOn: [String]) -> HookSpec {
        HookSpec.make(id, dependsOn: dependsOn)
    }

    @Test func noCycleInADiamond() {
        let hooks = [hook("a", []), hook("b", ["a"]), hook("c", ["a"]), hook("d", ["b", "c"])]
        #expect(HookGraph.findCycle(hooks) == nil)
        #expect(HookGraph.findCycle([]) == nil)
    }

    @Test func findsATwoHookCycle() {
        #expect(HookGraph.findCycle([hook("a", ["b"]), hook("b", ["a"])]) == ["a", "b", "a"])
    }

    @Test func findsASelfCycle() {
        #expect(HookGraph.findCycle([hook("ok", []), hook("a", ["a"])]) == ["a", "a"])
    }

    @Test func findsACycleBehindOtherHooks() {
        let hooks = [hook("x", []), hook("y", ["c"]), hook("c", ["d"]), hook("d", ["e"]), hook("e", ["c"])]
        #expect(HookGraph.findCycle(hooks) == ["c", "d", "e", "c"])
    }

    @Test func unknownDependenciesAreNotCycles() {
        #expect(HookGraph.findCycle([hook("a", ["missing"])]) == nil)
    }

    private var chain: [HookSpec] {
        [hook("a", []), hook("b", ["a"]), hook("c", ["b"]), hook("d", []), hook("e", ["a", "d"])]
    }

    @Test func readyAtTheStart() {
        let pending: Set = ["a", "b", "c", "d", "e"]
        #expect(HookGraph.ready(chain, pending: pending, outcomes: [:]).map(\.id) == ["a", "d"])
        #expect(HookGraph.blocked(chain, pending: pending, outcomes: [:]).isEmpty)
    }

    @Test func readyAfterSuccess() {
        let outcomes: [String: HookGraph.Outcome] = ["a": .satisfied]
        #expect(HookGraph.ready(chain, pending: ["b", "c", "d", "e"], outcomes: outcomes).map(\.id) == ["b", "d"])
        // e also waits for d, which has not finished.
        #expect(HookGraph.ready(chain, pending: ["b", "c", "e"], outcomes: outcomes).map(\.id) == ["b"])
        #expect(HookGraph.ready(chain, pending: ["b", "c", "e"], outcomes: ["a": .satisfied, "d": .satisfied]).map(\.id) == ["b", "e"])
    }

    @Test func runningHooksAreNotReady() {
        #expect(HookGraph.ready(chain, pending: ["b"], outcomes: [:]).isEmpty)
    }

    @Test func aConditionSkippedHookSatisfiesItsDependents() {
        // The supervisor records a hook skipped by its condition as satisfied.
        let outcomes: [String: HookGraph.Outcome] = ["a": .satisfied, "d": .satisfied]
        #expect(HookGraph.ready(chain, pending: ["b", "c", "e"], outcomes: outcomes).map(\.id) == ["b", "e"])
        #expect(HookGraph.blocked(chain, pending: ["b", "c", "e"], outcomes: outcomes).isEmpty)
    }

    @Test func aBrokenDependencyBlocksAndPropagates() {
        var outcomes: [String: HookGraph.Outcome] = ["a": .broken]
        var pending: Set = ["b", "c", "d", "e"]
        #expect(HookGraph.ready(chain, pending: pending, outcomes: outcomes).map(\.id) == ["d"])
        let blocked = HookGraph.blocked(chain, pending: pending, outcomes: outcomes)
        #expect(blocked.map(\.id) == ["b", "e"])

        // Skipping the blocked hooks breaks them in turn, so c is blocked next.
        for hook in blocked {
            outcomes[hook.id] = .broken
            pending.remove(hook.id)
        }
        #expect(HookGraph.blocked(chain, pending: pending, outcomes: outcomes).map(\.id) == ["c"])
        #expect(HookGraph.ready(chain, pending: pending, outcomes: outcomes).map(\.id) == ["d"])
    }

    @Test func oneBrokenDependencyOfSeveralBlocks() {
        let outcomes: [String: HookGraph.Outcome] = ["a": .satisfied, "d": .broken]
        #expect(HookGraph.blocked(chain, pending: ["e"], outcomes: outcomes).map(\.id) == ["e"])
        #expect(HookGraph.ready(chain, pending: ["e"], outcomes: outcomes).isEmpty)
    }
}

