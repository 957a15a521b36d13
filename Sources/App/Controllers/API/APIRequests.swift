import Vapor
import Domain

/// Request bodies: required fields are non-optional (a missing one is a 400 naming it);
/// the domain then validates the values (422 with each field's message).
struct LoginRequest: Content { var username: String; var password: String }
struct LoginResponse: Content { var token: String; var user: UserDTO }

struct OrgCreateRequest: Content {
    var name: String
    var code: String
    var type: String
    var parentId: String?
    var foundedOn: String?
    var termStart: String?
    var termYears: Int?
    var secretary: String?

    var fields: [String: String] {
        ["name": name, "code": code, "type": type, "parent": parentId ?? "", "foundedOn": foundedOn ?? "",
         "termStart": termStart ?? "", "termYears": termYears.map(String.init) ?? "", "secretary": secretary ?? ""]
    }
}

struct OrgPatchRequest: Content {
    var name: String?
    var code: String?
    var type: String?
    var foundedOn: String?
    var termStart: String?
    var termYears: Int?
    var secretary: String?

    var fields: [String: String] {
        var f: [String: String] = [:]
        f["name"] = name; f["code"] = code; f["type"] = type; f["foundedOn"] = foundedOn; f["termStart"] = termStart
        f["termYears"] = termYears.map(String.init); f["secretary"] = secretary
        return f
    }
}

struct OrgMoveRequest: Content { var parentId: String }

struct MemberCreateRequest: Content {
    var name: String
    var gender: String
    var status: String
    var orgId: String
    var birthDate: String?
    var joinDate: String?
    var groupId: String?
    var post: String?
    var phone: String?
    var retired: Bool?
    var hardship: Bool?

    var fields: [String: String] {
        ["name": name, "gender": gender, "status": status, "org": orgId, "birthDate": birthDate ?? "", "joinDate": joinDate ?? "",
         "group": groupId ?? "", "post": post ?? "", "phone": phone ?? "", "retired": retired == true ? "1" : "", "hardship": hardship == true ? "1" : ""]
    }
}

struct MemberPatchRequest: Content {
    var name: String?
    var gender: String?
    var status: String?
    var birthDate: String?
    var joinDate: String?
    var groupId: String?
    var post: String?
    var phone: String?
    var retired: Bool?
    var hardship: Bool?

    var fields: [String: String] {
        var f: [String: String] = [:]
        f["name"] = name; f["gender"] = gender; f["status"] = status; f["birthDate"] = birthDate; f["joinDate"] = joinDate
        f["group"] = groupId; f["post"] = post; f["phone"] = phone
        if let r = retired { f["retired"] = r ? "1" : "" }
        if let h = hardship { f["hardship"] = h ? "1" : "" }
        return f
    }
}

struct MemberTransferRequest: Content {
    var toOrgId: String
    var date: String
    var toGroupId: String?
    var reason: String?
    var fields: [String: String] { ["toOrg": toOrgId, "date": date, "toGroup": toGroupId ?? "", "reason": reason ?? ""] }
}

struct UserCreateRequest: Content {
    var username: String
    var displayName: String
    var password: String
    var role: String
    var orgId: String
    var memberId: String?
    var fields: [String: String] {
        ["username": username, "displayName": displayName, "password": password, "role": role, "org": orgId, "memberId": memberId ?? ""]
    }
}

struct UserPatchRequest: Content {
    var displayName: String?
    var active: Bool?
    var password: String?
    var fields: [String: String] {
        var f: [String: String] = [:]
        f["displayName"] = displayName; f["password"] = password
        if let a = active { f["active"] = a ? "1" : "0" }
        return f
    }
}

struct GrantRequest: Content { var role: String; var orgId: String }
struct CalendarDayRequest: Content { var kind: String; var name: String }
struct ImportResult: Content { var imported: Int }
