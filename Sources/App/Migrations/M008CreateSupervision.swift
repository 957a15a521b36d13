import Foundation
import Fluent
import SQLKit
import Domain

/// DOMAIN §7–§8: the problem ledger grows out of the rating module's `rectifications`
/// (its rows become problems), with steps, escalation assignments, the integrity-risk
/// register, monthly self-reports, quarterly scores, published assessments and surveys.
struct M008CreateSupervision: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // SQLite adds one column per ALTER TABLE; every new column is optional so old rows stay valid
        for (name, type) in [("aspect", DatabaseSchema.DataType.string), ("description", .string), ("found_on", .string), ("leader", .string),
                             ("measures", .string), ("verified_on", .string), ("verified_by", .string), ("created_by", .string),
                             ("version", .int), ("updated_at", .datetime)] {
            try await db.schema("rectifications").field(.definition(name: .key(.init(stringLiteral: name)), dataType: type, constraints: [])).update()
        }
        // The rating module's rows become problems in the aspect their source concerns. Nobody could
        // close them before, so R-22 starts counting from the day the ledger arrives (not
        // retroactively): found today, at least 90 days to go; the original date stays in the text.
        struct Old: Decodable { var id: UUID; var source: String; var reason: String; var deadline: String?; var created_at: Date?; var year: Int }
        let old = try await db.sql.select().columns("id", "source", "reason", "deadline", "created_at", "year").from("rectifications").all(decoding: Old.self)
        let today = AppClock.day(of: Date())
        for o in old {
            let source = o.source == "complaint" ? ProblemSource.ratingComplaint.rawValue : o.source
            let aspect: Star = o.source == "market_veto" ? .service : o.source == "complaint" ? .integrity : .strong
            let since = o.created_at.map { "（原登记于\(AppClock.day(of: $0).iso)）" } ?? ""
            let deadline = max(o.deadline.flatMap(Day.init(iso:)) ?? today, today.adding(days: 90))
            try await db.sql.update("rectifications")
                .set("source", to: source).set("aspect", to: aspect.rawValue).set("description", to: o.reason + since)
                .set("found_on", to: today.iso).set("deadline", to: deadline.iso)
                .set("leader", to: "待明确").set("created_by", to: "系统").set("version", to: 0)
                .set("status", to: ProblemStatus.open.rawValue)
                .where("id", .equal, o.id).run()
        }
        try await db.createIndex("idx_rectifications_org", on: "rectifications", "org_id")
        try await db.schema("problem_steps")
            .id()
            .field("problem_id", .uuid, .required, .references("rectifications", "id", onDelete: .cascade))
            .field("seq", .int, .required)
            .field("step", .string, .required)
            .field("day", .string, .required)
            .field("text", .string, .required)
            .field("actor_name", .string, .required)
            .field("actor_id", .uuid)
            .field("created_at", .datetime)
            .unique(on: "problem_id", "seq", name: "uq_problem_step_seq")
            .create()
        try await db.schema("escalation_assignments")
            .id()
            .field("org_id", .uuid, .required, .references("orgs", "id"))
            .field("org_path", .string, .required)
            .field("level", .string, .required)
            .field("since", .string, .required)
            .field("assignee", .string, .required)
            .field("note", .string)
            .field("assigned_by", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "org_id", "level", "since", name: "uq_escalation_assignment")
            .create()
        try await db.schema("risk_points")
            .id()
            .field("org_id", .uuid, .required, .references("orgs", "id"))
            .field("org_path", .string, .required)
            .field("org_name", .string, .required)
            .field("post", .string, .required)
            .field("process", .string, .required)
            .field("description", .string, .required)
            .field("level", .string, .required)
            .field("before_measures", .string, .required)
            .field("during_measures", .string, .required)
            .field("after_measures", .string, .required)
            .field("owner", .string, .required)
            .field("last_reviewed", .string)
            .field("reviewed_by", .string)
            .field("version", .int, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.createIndex("idx_risk_points_path", on: "risk_points", "org_path")
        try await db.schema("self_reports")
            .id()
            .field("org_id", .uuid, .required, .references("orgs", "id"))
            .field("org_path", .string, .required)
            .field("org_name", .string, .required)
            .field("year", .int, .required)
            .field("month", .int, .required)
            .field("text", .string, .required)
            .field("submitted_on", .string, .required)
            .field("submitted_by", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "org_id", "year", "month", name: "uq_self_report_month")
            .create()
        try await db.createIndex("idx_self_reports_path", on: "self_reports", "org_path", "year")
        try await db.schema("quarter_scores")
            .id()
            .field("org_id", .uuid, .required, .references("orgs", "id"))
            .field("org_path", .string, .required)
            .field("org_name", .string, .required)
            .field("year", .int, .required)
            .field("quarter", .int, .required)
            .field("score", .double, .required)
            .field("comment", .string)
            .field("scored_by", .string, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "org_id", "year", "quarter", name: "uq_quarter_score")
            .create()
        try await db.createIndex("idx_quarter_scores_path", on: "quarter_scores", "org_path", "year")
        try await db.schema("assessment_publications")
            .id()
            .field("year", .int, .required)
            .field("org_id", .uuid, .required, .references("orgs", "id"))
            .field("org_path", .string, .required)
            .field("org_name", .string, .required)
            .field("body", .string, .required)
            .field("published_by", .string, .required)
            .field("published_at", .datetime, .required)
            .create()
        try await db.createIndex("idx_assessment_publications", on: "assessment_publications", "year", "org_path")
        try await db.schema("surveys")
            .id()
            .field("org_id", .uuid, .required, .references("orgs", "id"))
            .field("org_path", .string, .required)
            .field("org_name", .string, .required)
            .field("year", .int, .required)
            .field("title", .string, .required)
            .field("intro", .string)
            .field("questions", .string, .required)
            .field("status", .string, .required)
            .field("version", .int, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await db.createIndex("idx_surveys_path", on: "surveys", "org_path")
        try await db.schema("survey_links")
            .id()
            .field("survey_id", .uuid, .required, .references("surveys", "id", onDelete: .cascade))
            .field("token", .string, .required)
            .field("label", .string)
            .field("created_at", .datetime)
            .unique(on: "token", name: "uq_survey_link_token")
            .create()
        try await db.createIndex("idx_survey_links_survey", on: "survey_links", "survey_id")
        try await db.schema("survey_responses")
            .id()
            .field("survey_id", .uuid, .required, .references("surveys", "id", onDelete: .cascade))
            .field("link_id", .uuid, .required, .references("survey_links", "id", onDelete: .cascade))
            .field("answers", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "link_id", name: "uq_survey_response_link")   // one answer per link, even when two arrive at once
            .create()
        try await db.createIndex("idx_survey_responses_survey", on: "survey_responses", "survey_id")
    }

    func revert(on db: any Database) async throws {
        for t in ["survey_responses", "survey_links", "surveys", "assessment_publications", "quarter_scores", "self_reports", "risk_points",
                  "escalation_assignments", "problem_steps"] {
            try await db.schema(t).delete()
        }
    }
}
