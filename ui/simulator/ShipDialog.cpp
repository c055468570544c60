// SPDX-License-Identifier: Apache-2.0
#include "ShipDialog.h"

#include "SimulatorColors.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace mandate::ui {

ShipDialog::ShipDialog(const simulate::ReplaySummary &summary, qint64 baseVersion, const QString &gateway, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("shipDialog"));
    setWindowTitle(tr("Ship the candidate policy set"));
    auto *layout = new QVBoxLayout(this);
    auto *headline = new QLabel(tr("<b>Publish the candidate on %1 as the version after %2?</b>").arg(gateway.toHtmlEscaped()).arg(baseVersion), this);
    headline->setWordWrap(true);
    layout->addWidget(headline);

    const simulate::ChangeCounts &overall = summary.overall;
    QString text = tr("The replay re-decided %n recorded request(s):", nullptr, int(summary.replayed));
    text += QStringLiteral("<ul><li style='color:%1'>").arg(SimulatorColors::newlyDenied().name())
            + tr("%1 newly denied").arg(overall.newlyDenied)
            + QStringLiteral("</li><li style='color:%1'>").arg(SimulatorColors::newlyAllowed().name())
            + tr("%1 newly allowed").arg(overall.newlyAllowed) + QStringLiteral("</li><li>")
            + tr("%1 unchanged").arg(overall.unchanged) + QStringLiteral("</li></ul>");
    QStringList agents;
    for (const auto &[agent, counts] : summary.byAgent) {
        if (counts.newlyDenied + counts.newlyAllowed > 0)
            agents.append(tr("%1 (%2 denied, %3 allowed)").arg(agent.toHtmlEscaped()).arg(counts.newlyDenied).arg(counts.newlyAllowed));
    }
    if (!agents.isEmpty())
        text += tr("Agents affected: %1.").arg(agents.join(QStringLiteral(", "))) + QStringLiteral("<br>");
    if (summary.skipped > 0)
        text += tr("%n recorded request(s) no longer fit the schema and were skipped.", nullptr, int(summary.skipped)) + QStringLiteral("<br>");
    text += tr("Version %1 is kept and can be restored from the Versions tab.").arg(baseVersion);
    auto *details = new QLabel(text, this);
    details->setObjectName(QStringLiteral("shipSummary"));
    details->setWordWrap(true);
    layout->addWidget(details);

    auto *form = new QFormLayout;
    m_comment = new QLineEdit(this);
    m_comment->setObjectName(QStringLiteral("shipComment"));
    m_comment->setPlaceholderText(tr("Why this change (kept in the version history)"));
    m_comment->setMaxLength(1000);  // what a gateway takes with a policy version
    form->addRow(tr("&Comment:"), m_comment);
    layout->addLayout(form);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Ship it"));
    buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("shipConfirm"));
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setMinimumWidth(480);
}

QString ShipDialog::comment() const
{
    return m_comment->text().trimmed();
}

} // namespace mandate::ui
