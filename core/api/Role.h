// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <optional>

namespace mandate::api {

/// What an admin API key may do. admin: everything; auditor: read registry, executions,
/// audit, lineage; analyst: what an auditor reads, plus simulate.
enum class Role { Admin, Auditor, Analyst };

/// Coarse operations the admin API checks a role against.
enum class Permission { ReadRegistry, WriteRegistry, ReadPolicies, WritePolicies, ReadExecutions,
                        RevokeExecutions, ReadAudit, Simulate, RotateKeys, ManageApiKeys };

QString roleName(Role role);
std::optional<Role> roleFromName(const QString &name);
bool roleAllows(Role role, Permission permission);

} // namespace mandate::api
