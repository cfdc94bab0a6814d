import Foundation

/// A made-up wire story of nine paragraphs (about 300 words) and the kinds of copies the catalog must
/// recognise: long enough for shingle statistics to mean something, short enough to read.
enum Story {
    static let title = "Harbour authority approves the new ferry terminal"

    static let paragraphs = [
        "The harbour authority on Monday approved plans for a new ferry terminal on the eastern pier, ending a dispute that had held up the project for more than three years.",
        "The terminal will replace two ageing buildings and is expected to handle up to four million passengers a year once it opens in the spring of 2027, officials said.",
        "“We have listened to the residents, and the design we approved today is quieter, smaller and greener than the one we first proposed,” the authority’s chair, Maria Lindqvist, told reporters after the vote.",
        "Opponents had argued that the original plan would bring heavy lorry traffic through the old town and block the view of the lighthouse from the promenade.",
        "Under the revised plan, freight will be routed along a new access road north of the railway line, and the main hall has been lowered by six metres.",
        "The project is budgeted at 240 million euros, of which the national government has pledged a third, with the rest coming from port fees and a loan from the regional bank.",
        "Construction is due to start in September, and the existing terminal will stay open throughout the works, the authority said in a statement.",
        "Ferry operators welcomed the decision, saying the current buildings could no longer cope with summer crowds and that delays had cost them bookings.",
        "A group of residents said it would study the approved plans before deciding whether to take the matter to court.",
    ]

    static var text: String {
        ([title] + paragraphs).joined(separator: "\n\n") + "\n"
    }

    /// The same story corrected: a figure changed and a sentence added at the end.
    static var revision: String {
        var edited = paragraphs
        edited[5] = edited[5].replacingOccurrences(of: "240 million", with: "260 million")
        edited.append("The authority will publish the full plans on its website next week.")
        return ([title] + edited).joined(separator: "\n\n") + "\n"
    }

    /// Another outlet's copy: outlet line on top, a dateline, straight quotes, lost apostrophes, two
    /// paragraphs run together, trailing boilerplate.
    static var syndicated: String {
        var copy = paragraphs.map {
            $0.replacingOccurrences(of: "“", with: "\"").replacingOccurrences(of: "”", with: "\"")
                .replacingOccurrences(of: "’", with: " ")
        }
        copy[0] = "STOCKHOLM (AFP) - " + copy[0]
        copy[3] = copy[3] + copy[4]
        copy.remove(at: 4)
        return (["Coastal Daily", title] + copy + ["Leave a Comment", "Follow us on Facebook"]).joined(
            separator: "\n\n")
            + "\n"
    }

    /// A teaser: the first four paragraphs and a pointer to the rest.
    static var teaser: String {
        ([title] + paragraphs.prefix(4) + ["Read more »"]).joined(separator: "\n\n") + "\n"
    }

    /// A different story from the same harbour, sharing a few words and names.
    static let other = """
        Ferry strike called off after overnight talks

        Ferry crews called off a strike planned for Friday after overnight talks with operators produced a new offer on pay and rest times.

        The union said its members would vote on the offer next week, and that services would run normally in the meantime.

        The harbour authority’s chair, Maria Lindqvist, said she was relieved that summer travellers would not be stranded at the eastern pier.

        Operators said the agreement would add about two per cent to their wage bill, and that fares would not rise this year as a result.

        Talks had broken down twice since March over the length of shifts on the longest crossings, which can exceed fourteen hours.
        """
}

/// Two outlets' reports of one made-up event (a dam breach), each an HTML page that declares when it
/// was published (`article:published_time`), as a page's normalizer reads it: texts of their own
/// wording (never versions of one another) sharing the event's names, places and numbers.
enum DamBreach {
    static let reports = [
        (
            title: "Dam breach at Lake Orvina forces 1,200 residents from their homes",
            paragraphs: [
                "A section of the Orvina dam in Velmar province gave way early on Sunday, flooding the villages of Kessa and Dornholt and forcing about 1,200 residents to leave their homes, the provincial governor said.",
                "Governor Tamsin Okafor said rescue crews had reached Kessa by boat and that no deaths had been reported, although 14 people were taken to hospital in Dornholt with minor injuries.",
                "Engineers from the Velmar water board had warned in March that the 1968 embankment needed urgent repairs, Okafor said, promising an inquiry into why the work was delayed.",
                "The water level in Lake Orvina fell by almost two metres in six hours, according to the water board.",
            ]
        ),
        (
            title: "Velmar governor promises inquiry after Orvina dam gives way",
            paragraphs: [
                "Tamsin Okafor, the governor of Velmar province, on Sunday ordered an inquiry into the collapse of part of the Orvina dam, which sent water into Kessa and Dornholt and drove some 1,200 people from their houses.",
                "Boats carried stranded families out of Kessa through the morning; hospital staff in Dornholt treated 14 people, none of them seriously hurt, Okafor told reporters.",
                "The Velmar water board said the 1968 embankment had been listed for repair since March, and that Lake Orvina had dropped nearly two metres before the breach was sealed with sandbags.",
                "Residents of Kessa said they had been woken by sirens shortly after four in the morning.",
            ]
        ),
    ]

    /// Report `index` as the bytes of an HTML page published at `published` (ISO 8601).
    static func page(_ index: Int, published: String) -> [UInt8] {
        let report = reports[index]
        let body = report.paragraphs.map { "<p>\($0)</p>" }.joined(separator: "\n")
        return Array(
            """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(report.title)</title>
            <meta property="article:published_time" content="\(published)"></head>
            <body><article><h1>\(report.title)</h1>
            \(body)
            </article></body></html>
            """.utf8)
    }
}
