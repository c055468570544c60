// SPDX-License-Identifier: Apache-2.0
#include "api/Role.h"

namespace mandate::api {

QString roleName(Role role)
{
    switch (role) {
    case Role::Admin: return QStringLiteral("admin");
    case Role::Auditor: return QStringLiteral("auditor");
    case Role::Analyst: return QStringLiteral("analyst");
    }
    return {};
}

std::optional<Role> roleFromName(const QString &name)
{
    for (Role role : {Role::Admin, Role::Auditor, Role::Analyst}) {
        if (roleName(role) == name)
            return role;
    }
    return std::nullopt;
}

bool roleAllows(Role role, Permission permission)
{
    switch (permission) {
    case Permission::ReadRegistry:
    case Permission::ReadPolicies:
    case Permission::ReadExecutions:
    case Permission::ReadAudit:
        return true;
    case Permission::Simulate:
        return role == Role::Admin || role == Role::Analyst;
    case Permission::WriteRegistry:
    case Permission::WritePolicies:
    case Permission::RevokeExecutions:
    case Permission::RotateKeys:
    case Permission::ManageApiKeys:
        return role == Role::Admin;
    }
    return false;
}

} // namespace mandate::api
