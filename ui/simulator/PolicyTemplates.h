// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QCoreApplication>
#include <QString>

#include <vector>

namespace mandate::ui {

/// Starting points for the rules analysts write most often about agents; each one parses on
/// its own and uses the demo schema's names, to be edited after insertion.
struct PolicyTemplate
{
    Q_DECLARE_TR_FUNCTIONS(PolicyTemplate)

public:
    QString title;
    QString description;
    QString source;

    static std::vector<PolicyTemplate> all();
};

} // namespace mandate::ui
