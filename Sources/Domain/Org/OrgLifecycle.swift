/// DOMAIN §1: what may happen to an org node. Each function answers the reason it may not
/// (in Chinese, for the user), or nil when it may.
public enum OrgLifecycle {
    /// Closing (撤销) needs an empty node: no active sub-organizations and no members left.
    public static func closeBlocker(activeChildren: Int, members: Int) -> String? {
        if activeChildren > 0 { return "该组织下还有\(activeChildren)个正常状态的下级组织，请先撤销或移走" }
        if members > 0 { return "该组织还有\(members)名党员，请先办理组织关系转接" }
        return nil
    }

    /// Reopening needs an active parent.
    public static func reopenBlocker(parentName: String?, parentClosed: Bool) -> String? {
        parentClosed ? "上级组织“\(parentName ?? "")”已撤销，请先恢复上级组织" : nil
    }

    /// A node with members may only become a type that holds members (党总支, 党支部, 党小组).
    public static func typeChangeBlocker(to type: OrgType, members: Int) -> String? {
        (!type.holdsMembers && members > 0) ? "该组织还有\(members)名党员，\(type.label)不能直接编入党员；请先办理组织关系转接" : nil
    }
}
