import Testing
@testable import Domain

/// a grant covers the node's subtree and nothing else.
@Suite struct ScopeTests {
    // 工委 /w/ → unit /w/u1/ → branches /w/u1/b1/, /w/u1/b2/ ; another unit /w/u2/b3/
    let secretaryOfB1 = Scope(grants: [Grant(role: .branchSecretary, orgID: "b1", orgPath: "/w/u1/b1/")])
    let officerOfU1 = Scope(grants: [Grant(role: .unitOfficer, orgID: "u1", orgPath: "/w/u1/")])
    let admin = Scope(grants: [Grant(role: .admin, orgID: "w", orgPath: "/w/")])

    @Test func r1_branchSecretaryActsOnOwnBranchOnly() {
        #expect(secretaryOfB1.allows(.writeMembers, at: "/w/u1/b1/"))
        #expect(secretaryOfB1.allows(.writeMembers, at: "/w/u1/b1/g1/"))   // a group under the branch
        #expect(!secretaryOfB1.allows(.writeMembers, at: "/w/u1/b2/"))
        #expect(!secretaryOfB1.allows(.readMembers, at: "/w/u1/"))
    }

    @Test func r1_unitOfficerCoversEveryBranchUnderTheUnit() {
        #expect(officerOfU1.allows(.readMembers, at: "/w/u1/b1/"))
        #expect(officerOfU1.allows(.readMembers, at: "/w/u1/b2/"))
        #expect(!officerOfU1.allows(.readMembers, at: "/w/u2/b3/"))
        #expect(!officerOfU1.allows(.readMembers, at: "/w/"))
    }

    @Test func r1_pathPrefixDoesNotLeakToSiblingWithLongerId() {
        // "/w/u1/" must not cover "/w/u10/": paths end with "/"
        #expect(!officerOfU1.allows(.readMembers, at: "/w/u10/b9/"))
    }

    @Test func r1_rolesLimitActionsEvenInsideTheSubtree() {
        let leader = Scope(grants: [Grant(role: .groupLeader, orgID: "g1", orgPath: "/w/u1/b1/g1/")])
        #expect(leader.allows(.readMembers, at: "/w/u1/b1/g1/"))
        #expect(!leader.allows(.writeMembers, at: "/w/u1/b1/g1/"))
        let expert = Scope(grants: [Grant(role: .expert, orgID: "w", orgPath: "/w/")])
        #expect(!expert.allows(.readMembers, at: "/w/u1/b1/"))
        #expect(!secretaryOfB1.allows(.readAudit, at: "/w/u1/b1/"))
        #expect(!officerOfU1.allows(.manageCalendar))
        #expect(!officerOfU1.allows(.readMemberDetails, at: "/w/u1/b1/"), "DOMAIN §1: full details only to the branch's leaders")
        #expect(secretaryOfB1.allows(.readMemberDetails, at: "/w/u1/b1/"))
    }

    @Test func r1_adminIsEverywhereAndRootsCollapse() {
        #expect(admin.roots(for: .readMembers) == nil)
        let two = Scope(grants: [Grant(role: .unitOfficer, orgID: "u1", orgPath: "/w/u1/"),
                                 Grant(role: .branchSecretary, orgID: "b1", orgPath: "/w/u1/b1/"),
                                 Grant(role: .branchSecretary, orgID: "b3", orgPath: "/w/u2/b3/")])
        #expect(two.roots(for: .readMembers) == ["/w/u1/", "/w/u2/b3/"])
        #expect(two.roots(for: .readAudit) == ["/w/u1/"])
    }

    @Test func r1_usersGrantOnlyLowerRolesInsideTheirScope() {
        #expect(officerOfU1.mayGrant(.branchSecretary, at: "/w/u1/b1/"))
        #expect(!officerOfU1.mayGrant(.unitOfficer, at: "/w/u1/"))
        #expect(!officerOfU1.mayGrant(.branchSecretary, at: "/w/u2/b3/"))
        #expect(!secretaryOfB1.mayGrant(.member, at: "/w/u1/b1/"))
        #expect(admin.mayGrant(.admin, at: "/w/"))
    }
}
