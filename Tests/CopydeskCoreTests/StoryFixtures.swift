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
