@testable import CopydeskCore
import Testing

/// An agency's short first report and the longer summary it later sends under a new id, with no
/// link: written for these tests after the pairs the research note measured (the short item about
/// half contained in the long one, the long one three times as long).
struct AgencyRewriteTests {
    static func item(
        id: String, headline: String, body: [String], place: String = "Hamburg", provider: String = "Example Press Agency",
        time: String = "2026-03-04T09:15:00+01:00"
    ) -> String {
        let paragraphs = body.map { "<p>\($0)</p>" }.joined()
        return """
            {"uri": "\(id)", "version": "1", "type": "text", "pubstatus": "usable", "versioncreated": "\(time)",
             "copyrightholder": "\(provider)", "located": "\(place)", "headline": "\(headline)",
             "body_html": "\(paragraphs)"}
            """
    }

    static let short = [
        "Hamburg (EPA) - A fire broke out on Tuesday morning in a warehouse in the port of Hamburg, the fire brigade said.",
        "Thick smoke rose over the Steinwerder quay and residents of the nearby districts were told to keep their windows and doors closed until further notice.",
        "More than eighty firefighters were at the scene; nobody was hurt according to first reports, and the cause of the fire was not yet known.",
    ]

    static let long = [
        "Hamburg (EPA) - A large fire in a warehouse in the port of Hamburg kept the fire brigade busy for most of Tuesday.",
        "Thick smoke rose over the Steinwerder quay and residents of the nearby districts were told to keep their windows and doors closed until further notice.",
        "The alarm was raised shortly after six in the morning by a night watchman who noticed flames under the roof of the hall, where paper rolls and pallets of household goods were stored.",
        "More than eighty firefighters were at the scene; nobody was hurt according to first reports, the brigade said later.",
        "Fire boats pumped water from the Elbe onto the burning hall while crews on land kept the flames from spreading to two neighbouring sheds that hold chemicals.",
        "By the early afternoon the fire was under control, a spokesman for the fire brigade said, but the hall could not be saved and would have to be torn down.",
        "Container traffic at the terminals nearby was not affected, the port authority said; a ferry line that passes the quay was suspended for several hours because of the smoke.",
        "Police have opened an investigation into the cause of the fire and will send experts into the ruins as soon as the building is safe to enter.",
        "The warehouse belongs to a logistics company that employs some forty people at the site; the company said it was too early to put a figure on the damage.",
    ]

    func prepared(_ json: String) throws -> PreparedArticle {
        PreparedArticle(try Normalizer().normalize(Array(json.utf8)))
    }

    @Test func theLongerSummaryOfAShortItemIsItsWritethrough() throws {
        let catalog = MemoryCatalog()
        #expect(try catalog.receive(Self.item(id: "urn:epa:1", headline: "Fire in Hamburg port warehouse", body: Self.short)) == .newArticle)
        let summary = Self.item(
            id: "urn:epa:2", headline: "Warehouse fire in Hamburg port under control", body: Self.long,
            time: "2026-03-04T14:40:00+01:00")
        let resemblance = Resemblance(
            new: try prepared(summary).fingerprint.shingles,
            stored: try prepared(Self.item(id: "urn:epa:1", headline: "x", body: Self.short)).fingerprint.shingles)
        // Far under the general rule, in the band the research note measured.
        #expect(!VersionRule.isVersion(resemblance))
        #expect(resemblance.containment > 0.35 && resemblance.containment < 0.6, "\(resemblance.containment)")
        guard case .newVersion(let match) = try catalog.receive(summary) else {
            Issue.record("the agency's summary is not a version of its first report")
            return
        }
        #expect(match.relation == .writethrough && match.article == 1)
    }

    @Test func theSameTextsFromOtherProvidersPlacesOrDaysStayApart() throws {
        let first = Self.item(id: "urn:epa:1", headline: "Fire in Hamburg port warehouse", body: Self.short)
        for other in [
            Self.item(id: "urn:x:2", headline: "Warehouse fire in Hamburg port", body: Self.long, provider: "Another Agency"),
            Self.item(id: "urn:epa:3", headline: "Warehouse fire in Hamburg port", body: Self.long, place: "Bremen"),
            Self.item(
                id: "urn:epa:4", headline: "Warehouse fire in Hamburg port", body: Self.long,
                time: "2026-03-09T10:00:00+01:00"),
        ] {
            let catalog = MemoryCatalog()
            try catalog.receive(first)
            #expect(try catalog.receive(other) == .newArticle)
        }
    }

    @Test func partsOfASeriesAndOneLineAdvisoriesStayApart() throws {
        let table = { (part: Int, values: [String]) in
            Self.item(
                id: "urn:epa:fund\(part)", headline: "Selected investment funds (part \(part) of 4)",
                body: values.map { "Fund \($0) closed at \($0).\($0) euros, after \($0).\($0) euros on the day before, the manager said." }
                    + Self.short)
        }
        let catalog = MemoryCatalog()
        try catalog.receive(table(1, (1...12).map(String.init)))
        #expect(try catalog.receive(table(2, (13...60).map(String.init))) == .newArticle)
        let advisory = Self.item(id: "urn:epa:adv", headline: "Fire in Hamburg port warehouse", body: [Self.short[0]])
        let fresh = MemoryCatalog()
        try fresh.receive(advisory)
        #expect(try fresh.receive(Self.item(id: "urn:epa:2", headline: "Warehouse fire in Hamburg port", body: Self.long)) == .newArticle)
    }

    @Test func aSeriesPartIsReadFromTheHeadline() {
        #expect(AgencyRewrite.part(of: "Ausgewählte Investmentfonds (Teil 2 von 4)") == "2/4")
        #expect(AgencyRewrite.part(of: "Funds (3/4)") == "3/4")
        #expect(AgencyRewrite.part(of: "Fire in Hamburg port warehouse") == nil)
        #expect(AgencyRewrite.place(of: "HAMBURG (EPA) -") == "hamburg")
    }
}
