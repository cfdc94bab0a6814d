import CopydeskCore
import Testing

/// Assigns texts in order against one in-memory story catalog.
struct StoryDesk {
    let catalog = MemoryStoryCatalog()
    var assigner = StoryAssigner()
    var updates = [StoryUpdate]()

    /// Assigns one text published at `time` and returns its story.
    @discardableResult
    mutating func receive(_ text: String, at time: String) throws -> Int64 {
        try receive(Array(text.utf8), at: time)
    }

    @discardableResult
    mutating func receive(_ bytes: [UInt8], at time: String) throws -> Int64 {
        let features = StoryFeatures(try Normalizer().normalize(bytes))
        let update = try catalog.run(assigner.assignment(for: features, at: time))
        updates.append(update)
        return catalog.apply(update)
    }
}

/// Made-up coverage: two storms of one kind, in different places, each told by two outlets.
enum StormStories {
    static let northA = """
        Storm Ingrid floods Port Marlow harbour

        PORT MARLOW (Coastwire) - Storm Ingrid flooded the harbour of Port Marlow on Tuesday, forcing 1,200 residents from their homes as the river Tessel burst its banks, mayor Helga Brandvik said.

        Brandvik said the Tessel rose 4.3 metres overnight, the highest level since 1987, and that the fire brigade had rescued 46 people from rooftops along the quay.

        The storm cut power to the old town and closed the bridge to Eastholm until engineers could inspect it.
        """
    static let northB = """
        Thousands leave homes as Ingrid hits Port Marlow

        Residents of Port Marlow spent Tuesday night in school halls after Storm Ingrid pushed the river Tessel over its banks and into the harbour district.

        Mayor Helga Brandvik told reporters that 46 people had been lifted from rooftops near the quay and that the river had risen 4.3 metres, more than in 1987.

        Ingrid also closed the Eastholm bridge and left the old town without power, Brandvik said.
        """
    static let southA = """
        Storm Valka floods Carrow Bay

        CARROW BAY (Coastwire) - Storm Valka flooded low streets of Carrow Bay on Friday, and about 300 people were moved to the sports centre after the Lune estuary overflowed, council leader Tomas Oyelaran said.

        Oyelaran said the Lune reached 2.1 metres above normal and that coastguard crews had taken 12 people from cars trapped on the ring road.

        The storm also closed the ferry to Skerrin Island for the weekend.
        """
    static let southB = """
        Valka leaves Carrow Bay under water

        Storm Valka swamped Carrow Bay on Friday as the Lune estuary rose 2.1 metres, council leader Tomas Oyelaran said, and some 300 residents spent the night at the sports centre.

        Coastguard crews pulled 12 people from cars on the ring road, and the Skerrin Island ferry will not sail until Monday, Oyelaran said.
        """
}

struct StoryAssignerTests {
    @Test func theMarchSeedsAreOneStoryAndTheAprilVisitAnother() throws {
        let seeds = SharedFiles.seeds()
        try #require(seeds.count == 5)
        var desk = StoryDesk()
        // The four March articles (23 March 2021), then the April one (14 April): the same people
        // and place, three weeks later.
        var march = [Int64]()
        for (index, seed) in seeds.prefix(4).enumerated() {
            march.append(try desk.receive(seed.bytes, at: "2021-03-23T1\(index):00:00Z"))
        }
        let april = try desk.receive(seeds[4].bytes, at: "2021-04-14T09:00:00Z")
        // The merge pass folds what the first reports founded apart; April is outside the window.
        desk.catalog.mergePass(StoryAssigner())
        let stories = march.map(desk.catalog.resolve)
        #expect(Set(stories).count == 1)
        #expect(desk.catalog.resolve(april) != stories[0])
    }

    @Test func twoEventsOfOneKindWithOtherNamesStayApart() throws {
        var desk = StoryDesk()
        let time = "2024-02-06T08:00:00Z"
        let northA = try desk.receive(StormStories.northA, at: time)
        let southA = try desk.receive(StormStories.southA, at: time)
        let northB = try desk.receive(StormStories.northB, at: time)
        let southB = try desk.receive(StormStories.southB, at: time)
        let north = [northA, northB].map(desk.catalog.resolve)
        let south = [southA, southB].map(desk.catalog.resolve)
        #expect(north[0] == north[1])
        #expect(south[0] == south[1])
        #expect(north[0] != south[0])
    }

    @Test func theSameEventAfterTheWindowStartsANewStory() throws {
        var desk = StoryDesk()
        desk.assigner.window = .seconds(3 * 86_400)
        let first = try desk.receive(StormStories.northA, at: "2024-02-06T08:00:00Z")
        // Two days later: still open.
        let second = try desk.receive(StormStories.northB, at: "2024-02-08T08:00:00Z")
        #expect(desk.catalog.resolve(second) == desk.catalog.resolve(first))
        // Four days after the last article: closed, a new story, even for the same text.
        let late = try desk.receive(StormStories.northA, at: "2024-02-12T09:00:00Z")
        #expect(desk.catalog.resolve(late) != desk.catalog.resolve(first))
        // An article dated well before the story began does not join it either.
        let early = try desk.receive(StormStories.northB, at: "2024-01-20T08:00:00Z")
        #expect(desk.catalog.resolve(early) != desk.catalog.resolve(late))
        #expect(desk.catalog.resolve(early) != desk.catalog.resolve(first))
    }

    @Test func assignmentIsDeterministic() throws {
        let texts = [StormStories.northA, StormStories.southA, StormStories.northB, StormStories.southB]
        func run() throws -> [StoryUpdate] {
            var desk = StoryDesk()
            for text in texts { try desk.receive(text, at: "2024-02-06T08:00:00Z") }
            for seed in SharedFiles.seeds() { try desk.receive(seed.bytes, at: "2024-02-06T09:00:00Z") }
            return desk.updates
        }
        #expect(try run() == run())
    }

    @Test func questionsAreBounded() throws {
        var desk = StoryDesk()
        desk.assigner.storiesPerTerm = 4
        // Thirty stories, each outside the last one's window, all filed under the storm's names.
        for day in 0..<30 {
            let month = day < 15 ? "01" : "03"
            let date = String(day % 15 + 10)
            try desk.receive(StormStories.northA, at: "2023-\(month)-\(date)T08:00:00Z")
            desk.assigner.window = .seconds(3_600)
        }
        desk.assigner.window = .seconds(400 * 86_400)
        try desk.receive(StormStories.northB, at: "2023-04-01T08:00:00Z")
        #expect(desk.catalog.largestKeyAnswer <= 4)
        for question in desk.catalog.questions {
            switch question {
            case .frequencies(let keys): #expect(keys.count <= StoryFeatures.maxTerms)
            case .stories(let keys, _, let limit):
                #expect(keys.count <= desk.assigner.lookupTerms)
                #expect(limit == 4)
            case .profiles(let ids): #expect(ids.count <= desk.assigner.candidates)
            }
        }
    }

    @Test func featuresFindNamesPlacesAndNumbers() throws {
        let article = try Normalizer().normalize(Array(StormStories.northA.utf8))
        let described = StoryFeatures.described(article).map { "\($0.term.channel) \($0.text)" }
        #expect(described.contains("name helga brandvik"))
        #expect(described.contains("namePart brandvik"))
        #expect(described.contains("place port marlow"))
        #expect(described.contains("number 4.3"))
        #expect(described.contains("numberContext 4.3 metres"))
        #expect(described.contains("word flooded"))
        // Sentence-initial common words and lower-case words are not names.
        #expect(!described.contains("namePart the"))
        #expect(!described.contains("namePart storm"))
    }
}
