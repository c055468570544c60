// SPDX-License-Identifier: Apache-2.0
#include "CommandRegistry.h"

namespace mandate::ctl {

std::map<QString, CommandGroup> &CommandRegistry::groups()
{
    static std::map<QString, CommandGroup> table;
    return table;
}

} // namespace mandate::ctl
