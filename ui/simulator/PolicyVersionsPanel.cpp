// SPDX-License-Identifier: Apache-2.0
#include "PolicyVersionsPanel.h"

#include "GatewaySession.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace mandate::ui {

PolicyVersionsPanel::PolicyVersionsPanel(GatewaySession *session, QWidget *parent)
    : QWidget(parent), m_session(session)
{
    setObjectName(QStringLiteral("policyVersions"));
    auto *layout = new QVBoxLayout(this);
    m_table = new QTableWidget(0, 4, this);
    m_table->setObjectName(QStringLiteral("policyVersionTable"));
    m_table->setHorizontalHeaderLabels({tr("Version"), tr("Published"), tr("By"), tr("Comment")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Stretch);
    layout->addWidget(m_table, 1);

    auto *buttons = new QHBoxLayout;
    auto *refresh = new QPushButton(tr("Refresh"), this);
    m_open = new QPushButton(tr("Open in the editor"), this);
    m_open->setObjectName(QStringLiteral("openVersion"));
    m_restore = new QPushButton(tr("Restore…"), this);
    m_restore->setObjectName(QStringLiteral("restoreVersion"));
    buttons->addWidget(refresh);
    buttons->addStretch(1);
    buttons->addWidget(m_open);
    buttons->addWidget(m_restore);
    layout->addLayout(buttons);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("policyVersionStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    connect(refresh, &QPushButton::clicked, this, &PolicyVersionsPanel::refresh);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &PolicyVersionsPanel::updateButtons);
    connect(m_open, &QPushButton::clicked, this, [this] {
        const qint64 version = selectedVersion();
        m_session->client()->policyVersion(version, this, [this](client::ClientResult<client::PolicyVersion> fetched) {
            if (!fetched) {
                m_status->setText(tr("Could not read the version: %1").arg(fetched.error().message()));
                return;
            }
            Q_EMIT openRequested(fetched.value());
        });
    });
    connect(m_restore, &QPushButton::clicked, this, &PolicyVersionsPanel::askRestore);
    updateButtons();
}

void PolicyVersionsPanel::refresh()
{
    if (m_session->state() != GatewaySession::State::Connected)
        return;
    m_session->client()->policyHistory(this, [this](client::ClientResult<std::vector<client::PolicyVersion>> history) {
        if (!history) {
            m_status->setText(tr("Could not list the policy versions: %1").arg(history.error().message()));
            return;
        }
        m_versions = history.value();
        m_table->clearSelection();
        m_table->setRowCount(int(m_versions.size()));
        const QLocale locale;
        for (int row = 0; row < int(m_versions.size()); ++row) {
            const client::PolicyVersion &version = m_versions[size_t(row)];
            const QString number = version.version == m_current ? tr("%1 (live)").arg(version.version) : QString::number(version.version);
            const QStringList cells{number, locale.toString(version.createdAt.toLocalTime(), QLocale::ShortFormat),
                                    version.author, version.comment};
            for (int column = 0; column < cells.size(); ++column) {
                auto *item = new QTableWidgetItem(cells[column]);
                item->setData(Qt::UserRole, version.version);
                if (version.version == m_current) {
                    QFont bold = item->font();
                    bold.setBold(true);
                    item->setFont(bold);
                }
                m_table->setItem(row, column, item);
            }
        }
        m_table->resizeColumnsToContents();
        m_table->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Stretch);
        updateButtons();
    });
}

qint64 PolicyVersionsPanel::selectedVersion() const
{
    const QList<QTableWidgetItem *> items = m_table->selectedItems();
    return items.isEmpty() ? 0 : items.first()->data(Qt::UserRole).toLongLong();
}

void PolicyVersionsPanel::updateButtons()
{
    const qint64 selected = selectedVersion();
    m_open->setEnabled(selected > 0);
    const bool admin = m_session->canWrite();
    m_restore->setEnabled(admin && selected > 0 && selected != m_current);
    m_restore->setToolTip(admin ? tr("Publish the selected version again, as a new version")
                                : tr("Restoring needs an admin API key"));
}

void PolicyVersionsPanel::askRestore()
{
    const qint64 version = selectedVersion();
    if (version <= 0 || !m_session->canWrite())
        return;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Restore policy version"),
                                tr("Publish version %1 again as the gateway's policy set?\n\nIt takes effect for the next "
                                   "decision; version %2 stays in the history.").arg(version).arg(m_current),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("restoreConfirm"));
    box->button(QMessageBox::Yes)->setText(tr("Restore"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, version](int) {
        if (box->clickedButton() == box->button(QMessageBox::Yes))
            restore(version);
    });
    box->open();
}

void PolicyVersionsPanel::restore(qint64 version)
{
    if (version <= 0 || !m_session->canWrite())
        return;
    m_status->setText(tr("Restoring version %1…").arg(version));
    m_session->client()->restorePolicy(version, m_current, this, [this, version](client::ClientResult<client::PolicyVersion> result) {
        if (!result) {
            m_status->setText(tr("Could not restore version %1: %2").arg(version).arg(result.error().message()));
            return;
        }
        m_status->setText(tr("Version %1 restored as version %2.").arg(version).arg(result->version));
        Q_EMIT restored(result.value());  // the view makes it current and refreshes this list
    });
}

} // namespace mandate::ui
