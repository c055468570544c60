// SPDX-License-Identifier: Apache-2.0
#include "ImportReportDialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace mandate::ui {

ImportReportDialog::ImportReportDialog(const QString &file, const QString &summary, const std::vector<Error> &errors, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("importReportDialog"));
    setWindowTitle(tr("Registry file report"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("<b>%1</b><br>%2").arg(file.toHtmlEscaped(), summary.toHtmlEscaped()), this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *table = new QTableWidget(static_cast<int>(errors.size()), 2, this);
    table->setObjectName(QStringLiteral("importErrors"));
    table->setHorizontalHeaderLabels({tr("Where"), tr("Problem")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    int row = 0;
    for (const Error &error : errors) {
        table->setItem(row, 0, new QTableWidgetItem(error.path));
        table->setItem(row, 1, new QTableWidgetItem(error.message));
        ++row;
    }
    table->resizeColumnToContents(0);
    table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(table);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(760, 420);
}

} // namespace mandate::ui
