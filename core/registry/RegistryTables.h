// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to the registry: the record tables behind Registry and the parsed form of an import.
#include "registry/DeletedVersions.h"
#include "registry/RecordTable.h"
#include "registry/Registry.h"

namespace mandate::registry {

using identity::Agent;
using identity::Human;
using identity::Machine;
using identity::Tool;

class Registry::Tables
{
public:
    explicit Tables(const store::Database &db)
        : agents(db, QStringLiteral("agents")), tools(db, QStringLiteral("tools")),
          humans(db, QStringLiteral("humans")), machines(db, QStringLiteral("machines")), deleted(db)
    {
        agents.setHasAgentColumns(true);
    }

    RecordTable<Agent> agents;
    RecordTable<Tool> tools;
    RecordTable<Human> humans;
    RecordTable<Machine> machines;
    DeletedVersions deleted;

    const RecordTable<Agent> &of(const Agent *) const { return agents; }
    const RecordTable<Tool> &of(const Tool *) const { return tools; }
    const RecordTable<Human> &of(const Human *) const { return humans; }
    const RecordTable<Machine> &of(const Machine *) const { return machines; }
};

struct Registry::ParsedImport
{
    std::vector<Human> humans;
    std::vector<Machine> machines;
    std::vector<Tool> tools;
    std::vector<Agent> agents;
};

} // namespace mandate::registry
