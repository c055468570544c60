// SPDX-License-Identifier: Apache-2.0
#include "CommandRegistry.h"

namespace mandate::ctl {

std::map<QString, CommandGroup> &CommandRegistry::groups()
{
    static std::map<QString, CommandGroup> table;
    return table;
}

QString takeOption(QStringList &args, const QString &name, bool &missing)
{
    const qsizetype at = args.indexOf(name);
    if (at < 0)
        return {};
    if (at + 1 >= args.size()) {
        missing = true;
        return {};
    }
    const QString value = args.at(at + 1);
    args.remove(at, 2);
    return value;
}

} // namespace mandate::ctl
