// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QString>

namespace mandate::policy {
class Schema;
struct SchemaType;
} // namespace mandate::policy

namespace mandate::firewall {

/// A call's arguments must mean the same to the policy as to the upstream, which reads them as
/// plain JSON. What would make them differ is refused:
/// - Cedar's JSON escapes: an object with a member `__entity`, `__extn` or `__expr` is read by
///   Cedar as an entity reference or an extension value where the schema leaves the type open,
///   so an agent could hand the policy `User::"alice"` while the upstream gets an object;
/// - where the schema gives an argument a type, any form of it but the plain one: an extension
///   value (a decimal amount) must be a string, since Cedar also reads `{"fn":"decimal",
///   "arg":"1.00", …}` and ignores the members an upstream may act on; an entity must be
///   `{"type":…,"id":…}` with nothing else;
/// - U+0000 in a name or a string: an upstream written in C stops reading there, after the
///   policy saw the whole string ("T-9999\u0000" is not "T-9999" to a policy forbidding it).
namespace PlainArguments {

/// Why `args` are not plain data, naming the argument ("filter[0].owner"), or nothing. `type`
/// is the schema's type of the arguments (see argumentsType), or null where it is open.
QString whyNot(const QJsonObject &args, const policy::SchemaType *type = nullptr);

/// The type the schema declares for `context.args` of `action`, or null: no schema, an
/// action it does not declare, or no `args` in its context.
const policy::SchemaType *argumentsType(const policy::Schema *schema, const QString &action);

} // namespace PlainArguments

} // namespace mandate::firewall
