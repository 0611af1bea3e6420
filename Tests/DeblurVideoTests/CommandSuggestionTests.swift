import Testing
@testable import deblur_video

@Suite struct CommandSuggestionTests {
    let names = ["deblur", "eval", "compare", "serve", "train"]

    @Test func nearMissesAreSuggestedAndFilesAreNot() {
        #expect(CommandSuggestion.distance("evl", "eval") == 1)
        #expect(CommandSuggestion.distance("", "eval") == 4 && CommandSuggestion.distance("kitten", "sitting") == 3)
        #expect(CommandSuggestion.intended("evl", among: names) == "eval")
        #expect(CommandSuggestion.intended("Trian", among: names) == "train")
        #expect(CommandSuggestion.intended("eval", among: names) == nil)  // the command itself
        #expect(CommandSuggestion.intended("clip.mp4", among: names) == nil)  // a file name
        #expect(CommandSuggestion.intended("-", among: names) == nil)
        #expect(CommandSuggestion.intended("holiday", among: names) == nil)  // nothing close
    }
}
