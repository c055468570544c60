// SPDX-License-Identifier: Apache-2.0
#include "ConflictDialog.h"

#include "RecordDiff.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace mandate::ui {

ConflictDialog::ConflictDialog(const QString &recordLabel, const QJsonObject &base, const QJsonObject &mine,
                               const QJsonObject &theirs, qint64 theirsVersion, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("conflictDialog"));
    setWindowTitle(tr("Edit conflict: %1").arg(recordLabel));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("<b>%1 was changed on the gateway after you loaded it</b> (it is now version %2). "
                                "Compare your edit with the gateway's version and choose which one to keep. "
                                "Highlighted rows differ.")
                                 .arg(recordLabel.toHtmlEscaped())
                                 .arg(theirsVersion),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *table = new QTableWidget(this);
    table->setObjectName(QStringLiteral("conflictTable"));
    table->setColumnCount(4);
    table->setHorizontalHeaderLabels({tr("Field"), tr("When you loaded it"), tr("Your edit"), tr("On the gateway now (v%1)").arg(theirsVersion)});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setWordWrap(true);
    const QList<RecordDiff::Field> mineVsTheirs = RecordDiff::compare(mine, theirs);
    table->setRowCount(static_cast<int>(mineVsTheirs.size()));
    const QColor highlight(255, 193, 7, 90);  // translucent amber: readable on light and dark
    int row = 0;
    for (const RecordDiff::Field &field : mineVsTheirs) {
        const QString original = RecordDiff::render(base.value(field.name));
        const QStringList cells{field.name, original, mine.isEmpty() ? tr("(deleted)") : field.before, field.after};
        for (int column = 0; column < cells.size(); ++column) {
            auto *item = new QTableWidgetItem(cells[column]);
            item->setToolTip(cells[column]);
            if (field.changed)
                item->setBackground(highlight);
            table->setItem(row, column, item);
        }
        ++row;
    }
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    for (int column = 1; column < 4; ++column)
        table->horizontalHeader()->setSectionResizeMode(column, QHeaderView::Stretch);
    // Long values wrap; rows grow to show them whole whenever the columns change width.
    connect(table->horizontalHeader(), &QHeaderView::sectionResized, table, [table] { table->resizeRowsToContents(); });
    layout->addWidget(table);

    auto *buttons = new QHBoxLayout;
    auto *skip = new QPushButton(tr("Decide &later"), this);
    skip->setObjectName(QStringLiteral("skipButton"));
    skip->setToolTip(tr("Leave your edit pending and continue with the other changes."));
    auto *takeTheirs = new QPushButton(tr("&Take the gateway's version"), this);
    takeTheirs->setObjectName(QStringLiteral("takeTheirsButton"));
    takeTheirs->setToolTip(tr("Discard your edit of this record."));
    auto *keepMine = new QPushButton(tr("&Keep my edit"), this);
    keepMine->setObjectName(QStringLiteral("keepMineButton"));
    keepMine->setToolTip(tr("Push your edit on top of the gateway's version, replacing its changes."));
    buttons->addWidget(skip);
    buttons->addStretch();
    buttons->addWidget(takeTheirs);
    buttons->addWidget(keepMine);
    layout->addLayout(buttons);

    const auto answer = [this](PushController::Resolution resolution) {
        Q_EMIT resolved(resolution);
        accept();
    };
    connect(skip, &QPushButton::clicked, this, [answer] { answer(PushController::Resolution::Skip); });
    connect(takeTheirs, &QPushButton::clicked, this, [answer] { answer(PushController::Resolution::TakeTheirs); });
    connect(keepMine, &QPushButton::clicked, this, [answer] { answer(PushController::Resolution::KeepMine); });
    // Closing the window is "decide later", never an implicit overwrite.
    connect(this, &QDialog::rejected, this, [this] { Q_EMIT resolved(PushController::Resolution::Skip); });
    resize(900, 560);
}

} // namespace mandate::ui
