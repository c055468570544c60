<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>PolicyTemplate</name>
    <message>
        <source>Permit an agent&apos;s executions an action</source>
        <translation>Den Ausführungen eines Agenten eine Aktion erlauben</translation>
    </message>
    <message>
        <source>Executions of one agent, and the executions they delegate to, may call an action.</source>
        <translation>Die Ausführungen eines Agenten und die Ausführungen, an die sie delegieren, dürfen eine Aktion aufrufen.</translation>
    </message>
    <message>
        <source>Forbid an action for every agent</source>
        <translation>Eine Aktion für alle Agenten verbieten</translation>
    </message>
    <message>
        <source>No execution may call this action, whatever else permits it.</source>
        <translation>Keine Ausführung darf diese Aktion aufrufen, ganz gleich, was sie sonst erlaubt.</translation>
    </message>
    <message>
        <source>Cap an amount argument</source>
        <translation>Betragsargument begrenzen</translation>
    </message>
    <message>
        <source>Permits the call only while the tool call&apos;s amount stays under a limit.</source>
        <translation>Erlaubt den Aufruf nur, solange der Betrag des Werkzeugaufrufs eine Grenze nicht überschreitet.</translation>
    </message>
    <message>
        <source>Stop calls above the risk ceiling</source>
        <translation>Aufrufe oberhalb der Risikoobergrenze stoppen</translation>
    </message>
    <message>
        <source>Forbids any call once the execution&apos;s risk score exceeds its ceiling.</source>
        <translation>Verbietet jeden Aufruf, sobald der Risikowert der Ausführung ihre Obergrenze überschreitet.</translation>
    </message>
    <message>
        <source>Limit the delegation depth</source>
        <translation>Delegationstiefe begrenzen</translation>
    </message>
    <message>
        <source>Forbids calls from executions delegated further than a given depth.</source>
        <translation>Verbietet Aufrufe von Ausführungen, die über eine bestimmte Tiefe hinaus delegiert wurden.</translation>
    </message>
    <message>
        <source>Only on behalf of one human</source>
        <translation>Nur im Auftrag eines bestimmten Menschen</translation>
    </message>
    <message>
        <source>Forbids an action unless the delegation chain starts at a given person.</source>
        <translation>Verbietet eine Aktion, wenn die Delegationskette nicht bei einer bestimmten Person beginnt.</translation>
    </message>
    <message>
        <source>Cap the calls per execution</source>
        <translation>Aufrufe pro Ausführung begrenzen</translation>
    </message>
    <message>
        <source>Forbids calls once an execution has made more than a number of them.</source>
        <translation>Verbietet Aufrufe, sobald eine Ausführung mehr als eine bestimmte Anzahl davon getätigt hat.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Mandate Console</source>
        <translation>Mandate-Konsole</translation>
    </message>
    <message>
        <source>Mandate Console: manage the agents, tools and policies of Mandate gateways.</source>
        <translation>Mandate-Konsole: Agenten, Werkzeuge und Richtlinien von Mandate-Gateways verwalten.</translation>
    </message>
    <message>
        <source>Connect to the gateway at URL.</source>
        <translation>Mit dem Gateway unter URL verbinden.</translation>
    </message>
    <message>
        <source>Read the API key from FILE.</source>
        <translation>Den API-Schlüssel aus DATEI lesen.</translation>
    </message>
    <message>
        <source>Trust this CA certificate (PEM) for the gateway&apos;s TLS.</source>
        <translation>Diesem CA-Zertifikat (PEM) für das TLS des Gateways vertrauen.</translation>
    </message>
    <message>
        <source>Keep API keys in memory only; do not use the OS keychain.</source>
        <translation>API-Schlüssel nur im Speicher halten; den Schlüsselbund des Systems nicht verwenden.</translation>
    </message>
    <message>
        <source>mandate: cannot read the API key file %1: %2</source>
        <translation>mandate: Die API-Schlüsseldatei %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>Open this view: registry, lineage, monitor or simulator.</source>
        <translation>Diese Ansicht öffnen: registry, lineage, monitor oder simulator.</translation>
    </message>
    <message>
        <source>mandate: unknown view &quot;%1&quot; (registry, lineage, monitor, simulator)</source>
        <translation>mandate: unbekannte Ansicht „%1“ (registry, lineage, monitor, simulator)</translation>
    </message>
</context>
<context>
    <name>mandate::ui::AgentForm</name>
    <message>
        <source>Lowercase letters, digits and single hyphens. Fixed once the agent is on the gateway.</source>
        <translation>Kleinbuchstaben, Ziffern und einzelne Bindestriche. Unveränderlich, sobald der Agent auf dem Gateway ist.</translation>
    </message>
    <message>
        <source>&amp;Id:</source>
        <translation>&amp;Kennung:</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Owner:</source>
        <translation>&amp;Besitzer:</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>Bes&amp;chreibung:</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Suspended</source>
        <translation>Ausgesetzt</translation>
    </message>
    <message>
        <source>Retired</source>
        <translation>Außer Dienst</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>&amp;Status:</translation>
    </message>
    <message>
        <source>&amp;Trust level:</source>
        <translation>&amp;Vertrauensstufe:</translation>
    </message>
    <message>
        <source>Max delegation &amp;depth:</source>
        <translation>Maximale Delegations&amp;tiefe:</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Default TTL:</source>
        <translation>Standard-Lebensdauer:</translation>
    </message>
    <message>
        <source>Maximum TTL:</source>
        <translation>Maximale Lebensdauer:</translation>
    </message>
    <message>
        <source>Budget: &amp;calls:</source>
        <translation>Budget: &amp;Aufrufe:</translation>
    </message>
    <message>
        <source>Budget: model tokens:</source>
        <translation>Budget: Modell-Tokens:</translation>
    </message>
    <message>
        <source>must be a whole number</source>
        <translation>muss eine ganze Zahl sein</translation>
    </message>
    <message>
        <source>e.g. 1000.00</source>
        <translation>z. B. 1000.00</translation>
    </message>
    <message>
        <source>Budget: &amp;amount:</source>
        <translation>Budget: Be&amp;trag:</translation>
    </message>
    <message>
        <source>must be an amount with at most four decimals, such as 250.00</source>
        <translation>muss ein Betrag mit höchstens vier Nachkommastellen sein, etwa 250.00</translation>
    </message>
    <message>
        <source>Allowed a&amp;ctions:</source>
        <translation>Erlaubte A&amp;ktionen:</translation>
    </message>
    <message>
        <source>agents that may delegate to this one, comma-separated</source>
        <translation>Agenten, die an diesen delegieren dürfen, durch Kommas getrennt</translation>
    </message>
    <message>
        <source>D&amp;elegators:</source>
        <translation>D&amp;elegierende:</translation>
    </message>
    <message>
        <source>another agent already has the id &quot;%1&quot;</source>
        <translation>ein anderer Agent hat bereits die Kennung „%1“</translation>
    </message>
    <message>
        <source>Select an agent in the table, or create one.</source>
        <translation>Wählen Sie einen Agenten in der Tabelle aus oder legen Sie einen an.</translation>
    </message>
    <message>
        <source>version %1 on the gateway</source>
        <translation>Version %1 auf dem Gateway</translation>
    </message>
    <message>
        <source>new, not pushed yet</source>
        <translation>neu, noch nicht übertragen</translation>
    </message>
    <message>
        <source>modified locally, based on version %1</source>
        <translation>lokal geändert, auf Grundlage von Version %1</translation>
    </message>
    <message>
        <source>deleted locally, not pushed yet</source>
        <translation>lokal gelöscht, noch nicht übertragen</translation>
    </message>
    <message>
        <source>Agent %1 — %2 (read-only for your role)</source>
        <translation>Agent %1 — %2 (für Ihre Rolle schreibgeschützt)</translation>
    </message>
    <message>
        <source>Agent %1 — %2</source>
        <translation>Agent %1 — %2</translation>
    </message>
</context>
<context>
    <name>mandate::ui::AgentTableModel</name>
    <message>
        <source>Id</source>
        <translation>Kennung</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>Besitzer</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Trust</source>
        <translation>Vertrauen</translation>
    </message>
    <message>
        <source>Allowed actions</source>
        <translation>Erlaubte Aktionen</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ChangeBreakdownChart</name>
    <message>
        <source>newly denied</source>
        <translation>neu verweigert</translation>
    </message>
    <message>
        <source>newly allowed</source>
        <translation>neu erlaubt</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>unverändert</translation>
    </message>
    <message>
        <source>Requests by agent</source>
        <translation>Anfragen nach Agent</translation>
    </message>
    <message>
        <source>Requests by tool</source>
        <translation>Anfragen nach Werkzeug</translation>
    </message>
    <message>
        <source>Requests by action</source>
        <translation>Anfragen nach Aktion</translation>
    </message>
    <message>
        <source>Requests by determining policy</source>
        <translation>Anfragen nach ausschlaggebender Richtlinie</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ChangeBreakdownModel</name>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>Werkzeug</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Determining policy</source>
        <translation>Ausschlaggebende Richtlinie</translation>
    </message>
    <message>
        <source>Newly denied</source>
        <translation>Neu verweigert</translation>
    </message>
    <message>
        <source>Newly allowed</source>
        <translation>Neu erlaubt</translation>
    </message>
    <message>
        <source>Unchanged</source>
        <translation>Unverändert</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Gesamt</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ChangedDecisionModel</name>
    <message>
        <source>newly denied</source>
        <translation>neu verweigert</translation>
    </message>
    <message>
        <source>newly allowed</source>
        <translation>neu erlaubt</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>unverändert</translation>
    </message>
    <message>
        <source>Errors: %1</source>
        <translation>Fehler: %1</translation>
    </message>
    <message>
        <source>Decision %1 of execution %2, %3</source>
        <translation>Entscheidung %1 der Ausführung %2, %3</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Änderung</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>Werkzeug</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>On behalf of</source>
        <translation>Im Auftrag von</translation>
    </message>
    <message>
        <source>Recorded decision</source>
        <translation>Aufgezeichnete Entscheidung</translation>
    </message>
    <message>
        <source>Under the candidate</source>
        <translation>Mit dem Entwurf</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ConflictDialog</name>
    <message>
        <source>Edit conflict: %1</source>
        <translation>Bearbeitungskonflikt: %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 was changed on the gateway after you loaded it&lt;/b&gt; (it is now version %2). Compare your edit with the gateway&apos;s version and choose which one to keep. Highlighted rows differ.</source>
        <translation>&lt;b&gt;%1 wurde auf dem Gateway geändert, nachdem Sie es geladen haben&lt;/b&gt; (jetzt Version %2). Vergleichen Sie Ihre Änderung mit der Version des Gateways und wählen Sie, welche gelten soll. Hervorgehobene Zeilen unterscheiden sich.</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <source>When you loaded it</source>
        <translation>Beim Laden</translation>
    </message>
    <message>
        <source>Your edit</source>
        <translation>Ihre Änderung</translation>
    </message>
    <message>
        <source>On the gateway now (v%1)</source>
        <translation>Jetzt auf dem Gateway (v%1)</translation>
    </message>
    <message>
        <source>(deleted)</source>
        <translation>(gelöscht)</translation>
    </message>
    <message>
        <source>Decide &amp;later</source>
        <translation>&amp;Später entscheiden</translation>
    </message>
    <message>
        <source>Leave your edit pending and continue with the other changes.</source>
        <translation>Ihre Änderung ausstehend lassen und mit den anderen Änderungen fortfahren.</translation>
    </message>
    <message>
        <source>&amp;Take the gateway&apos;s version</source>
        <translation>Version des Gateways &amp;übernehmen</translation>
    </message>
    <message>
        <source>Discard your edit of this record.</source>
        <translation>Ihre Änderung an diesem Eintrag verwerfen.</translation>
    </message>
    <message>
        <source>&amp;Keep my edit</source>
        <translation>Meine Änderung &amp;behalten</translation>
    </message>
    <message>
        <source>Push your edit on top of the gateway&apos;s version, replacing its changes.</source>
        <translation>Ihre Änderung über die Version des Gateways übertragen und deren Änderungen ersetzen.</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ConnectionBanner</name>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Erneut versuchen</translation>
    </message>
    <message>
        <source>&amp;Connections…</source>
        <translation>&amp;Verbindungen…</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ConnectionDialog</name>
    <message>
        <source>Gateways</source>
        <translation>Gateways</translation>
    </message>
    <message>
        <source>&amp;New</source>
        <translation>&amp;Neu</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>E&amp;ntfernen</translation>
    </message>
    <message>
        <source>e.g. Production EU</source>
        <translation>z. B. Produktion EU</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <source>system trust store</source>
        <translation>Zertifikatsspeicher des Systems</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>Choose a CA certificate (PEM or DER)</source>
        <translation>CA-Zertifikat wählen (PEM oder DER)</translation>
    </message>
    <message>
        <source>&amp;CA certificate:</source>
        <translation>&amp;CA-Zertifikat:</translation>
    </message>
    <message>
        <source>mdk_…</source>
        <translation>mdk_…</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation>API-&amp;Schlüssel:</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation>CA-Zertifikat</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer *.der);;All files (*)</source>
        <translation>Zertifikate (*.pem *.crt *.cer *.der);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>⚠ Keys are kept in memory for this session only: %1. You will need to enter them again next time.</source>
        <translation>⚠ Schlüssel werden nur für diese Sitzung im Speicher gehalten: %1. Beim nächsten Mal müssen Sie sie erneut eingeben.</translation>
    </message>
    <message>
        <source>API keys are stored in the system keychain, never in the settings file.</source>
        <translation>API-Schlüssel werden im Schlüsselbund des Systems gespeichert, nie in der Einstellungsdatei.</translation>
    </message>
    <message>
        <source>Give the gateway a name and a URL.</source>
        <translation>Geben Sie dem Gateway einen Namen und eine URL.</translation>
    </message>
    <message>
        <source>The URL must start with http:// or https://.</source>
        <translation>Die URL muss mit http:// oder https:// beginnen.</translation>
    </message>
    <message>
        <source>Enter the API key for this gateway.</source>
        <translation>Geben Sie den API-Schlüssel für dieses Gateway ein.</translation>
    </message>
    <message>
        <source>The key could not be stored in the keychain: %1</source>
        <translation>Der Schlüssel konnte nicht im Schlüsselbund gespeichert werden: %1</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ExecutionTableModel</name>
    <message>
        <source>expired</source>
        <translation>abgelaufen</translation>
    </message>
    <message>
        <source>%1:%2</source>
        <translation>%1:%2</translation>
    </message>
    <message>
        <source>Execution %1</source>
        <translation>Ausführung %1</translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n call(s)</source>
        <translation>
            <numerusform>%1 · %n Aufruf</numerusform>
            <numerusform>%1 · %n Aufrufe</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Root human</source>
        <translation>Auftraggebender Mensch</translation>
    </message>
    <message>
        <source>Purpose</source>
        <translation>Zweck</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Aktionen</translation>
    </message>
    <message>
        <source>Budget left</source>
        <translation>Restbudget</translation>
    </message>
    <message>
        <source>Risk</source>
        <translation>Risiko</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>Restzeit</translation>
    </message>
    <message>
        <source>Depth</source>
        <translation>Tiefe</translation>
    </message>
</context>
<context>
    <name>mandate::ui::GatewaySession</name>
    <message>
        <source>&quot;%1&quot; is not an http:// or https:// URL.</source>
        <translation>„%1“ ist keine http://- oder https://-URL.</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1…</translation>
    </message>
    <message>
        <source>Connected to %1</source>
        <translation>Verbunden mit %1</translation>
    </message>
    <message>
        <source>Connection to %1 failed</source>
        <translation>Verbindung mit %1 fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ImportReportDialog</name>
    <message>
        <source>Registry file report</source>
        <translation>Bericht zur Registry-Datei</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Wo</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
</context>
<context>
    <name>mandate::ui::KeyVault</name>
    <message>
        <source>the OS keychain is not used in this session</source>
        <translation>der Schlüsselbund des Systems wird in dieser Sitzung nicht verwendet</translation>
    </message>
    <message>
        <source>no keychain service is available (%1)</source>
        <translation>kein Schlüsselbund-Dienst verfügbar (%1)</translation>
    </message>
</context>
<context>
    <name>mandate::ui::LineageDetailsPanel</name>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>Show in graph</source>
        <translation>Im Graphen zeigen</translation>
    </message>
    <message>
        <source>Claim</source>
        <translation>Claim</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Select a record to see it in full.</source>
        <translation>Wählen Sie einen Eintrag aus, um ihn vollständig zu sehen.</translation>
    </message>
    <message>
        <source>Audit records</source>
        <translation>Audit-Einträge</translation>
    </message>
    <message>
        <source>Select a node to see its details.</source>
        <translation>Wählen Sie einen Knoten aus, um seine Details zu sehen.</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>Human %1</source>
        <translation>Mensch %1</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Subjekt</translation>
    </message>
    <message>
        <source>Agent %1</source>
        <translation>Agent %1</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Execution %1</source>
        <translation>Ausführung %1</translation>
    </message>
    <message>
        <source>Purpose</source>
        <translation>Zweck</translation>
    </message>
    <message>
        <source>Parent</source>
        <translation>Übergeordnete Ausführung</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Call %1 (%2)</source>
        <translation>Aufruf %1 (%2)</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>Werkzeug</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Entscheidung</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Stated reason</source>
        <translation>Angegebener Grund</translation>
    </message>
    <message>
        <source>Upstream status</source>
        <translation>Upstream-Status</translation>
    </message>
    <message>
        <source>Response flagged</source>
        <translation>Antwort markiert</translation>
    </message>
    <message>
        <source>Determining policies</source>
        <translation>Ausschlaggebende Richtlinien</translation>
    </message>
    <message>
        <source>none (default deny or a check before Cedar)</source>
        <translation>keine (Standardverweigerung oder eine Prüfung vor Cedar)</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Execution claims</source>
        <translation>Claims der Ausführung</translation>
    </message>
    <message>
        <source>Capabilities</source>
        <translation>Befugnisse</translation>
    </message>
    <message>
        <source>Delegation chain</source>
        <translation>Delegationspfad</translation>
    </message>
    <message>
        <source>Depth</source>
        <translation>Tiefe</translation>
    </message>
    <message>
        <source>Budget</source>
        <translation>Budget</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>Verbleibend</translation>
    </message>
    <message>
        <source>Risk</source>
        <translation>Risiko</translation>
    </message>
    <message>
        <source>%1 of ceiling %2</source>
        <translation>%1 von Obergrenze %2</translation>
    </message>
    <message>
        <source>Issued</source>
        <translation>Ausgestellt</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Läuft ab</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Lade…</translation>
    </message>
    <message numerus="yes">
        <source>%n call(s), %1 tokens, amount %2</source>
        <translation>
            <numerusform>%n Aufruf, %1 Tokens, Betrag %2</numerusform>
            <numerusform>%n Aufrufe, %1 Tokens, Betrag %2</numerusform>
        </translation>
    </message>
    <message>
        <source>… more records follow (mandatectl audit query --execution lists them all)</source>
        <translation>… weitere Einträge folgen (mandatectl audit query --execution listet sie alle)</translation>
    </message>
</context>
<context>
    <name>mandate::ui::LineageExport</name>
    <message>
        <source>cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <source>Delegation lineage exported by the Mandate console</source>
        <translation>Von der Mandate-Konsole exportierte Delegationskette</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>mandate::ui::LineageScene</name>
    <message>
        <source>human</source>
        <translation>Mensch</translation>
    </message>
    <message>
        <source>agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>allowed</source>
        <translation>erlaubt</translation>
    </message>
    <message>
        <source>denied</source>
        <translation>verweigert</translation>
    </message>
    <message>
        <source>flagged</source>
        <translation>markiert</translation>
    </message>
    <message>
        <source>dropped %1</source>
        <translation>entzogen: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n call(s), %1</source>
        <translation>
            <numerusform>%n Aufruf, %1</numerusform>
            <numerusform>%n Aufrufe, %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>mandate::ui::LineageView</name>
    <message>
        <source>Search for an execution, a human, an agent, a trace or a time range.</source>
        <translation>Suchen Sie nach einer Ausführung, einem Menschen, einem Agenten, einem Trace oder einem Zeitraum.</translation>
    </message>
    <message>
        <source>That call is hidden by the filters or a collapsed node.</source>
        <translation>Dieser Aufruf ist durch die Filter oder einen eingeklappten Knoten ausgeblendet.</translation>
    </message>
    <message>
        <source>Execution</source>
        <translation>Ausführung</translation>
    </message>
    <message>
        <source>Human</source>
        <translation>Mensch</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Trace id</source>
        <translation>Trace-Kennung</translation>
    </message>
    <message>
        <source>Time range</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>execution id, human, agent or trace id</source>
        <translation>Ausführungskennung, Mensch, Agent oder Trace-Kennung</translation>
    </message>
    <message>
        <source>Show lineage</source>
        <translation>Delegationskette anzeigen</translation>
    </message>
    <message>
        <source>Start from</source>
        <translation>Ausgehend von</translation>
    </message>
    <message>
        <source>All decisions</source>
        <translation>Alle Entscheidungen</translation>
    </message>
    <message>
        <source>Allowed</source>
        <translation>Erlaubt</translation>
    </message>
    <message>
        <source>Denied</source>
        <translation>Verweigert</translation>
    </message>
    <message>
        <source>All tools</source>
        <translation>Alle Werkzeuge</translation>
    </message>
    <message>
        <source>Calls between</source>
        <translation>Aufrufe zwischen</translation>
    </message>
    <message>
        <source>Zoom in (+)</source>
        <translation>Vergrößern (+)</translation>
    </message>
    <message>
        <source>Zoom out (-)</source>
        <translation>Verkleinern (-)</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Fit the graph in the view (0)</source>
        <translation>Graphen in die Ansicht einpassen (0)</translation>
    </message>
    <message>
        <source>Expand all</source>
        <translation>Alle aufklappen</translation>
    </message>
    <message>
        <source>Expand every collapsed node</source>
        <translation>Alle eingeklappten Knoten aufklappen</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Export the graph or its records</source>
        <translation>Den Graphen oder seine Einträge exportieren</translation>
    </message>
    <message>
        <source>Graph as PNG…</source>
        <translation>Graph als PNG…</translation>
    </message>
    <message>
        <source>Graph as SVG…</source>
        <translation>Graph als SVG…</translation>
    </message>
    <message>
        <source>Records as JSON lines…</source>
        <translation>Einträge als JSON Lines…</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Type what to start from.</source>
        <translation>Geben Sie ein, wovon ausgegangen werden soll.</translation>
    </message>
    <message>
        <source>Fetching the lineage…</source>
        <translation>Lade die Delegationskette…</translation>
    </message>
    <message>
        <source>No lineage: %1</source>
        <translation>Keine Delegationskette: %1</translation>
    </message>
    <message>
        <source>%1 nodes, %2 edges shown of %3 nodes · %4 denied, %5 flagged · layout %6 ms</source>
        <translation>%1 von %3 Knoten und %2 Kanten angezeigt · %4 verweigert, %5 markiert · Layout %6 ms</translation>
    </message>
    <message>
        <source> · truncated: the gateway stopped at its record limit</source>
        <translation> · gekürzt: Das Gateway hat an seiner Eintragsgrenze aufgehört</translation>
    </message>
    <message>
        <source>Delegation lineage</source>
        <translation>Delegationskette</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <source>SVG drawings (*.svg)</source>
        <translation>SVG-Grafiken (*.svg)</translation>
    </message>
    <message>
        <source>JSON lines (*.jsonl)</source>
        <translation>JSON Lines (*.jsonl)</translation>
    </message>
    <message>
        <source>Export lineage</source>
        <translation>Delegationskette exportieren</translation>
    </message>
    <message>
        <source>Exported %1</source>
        <translation>%1 exportiert</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>The lineage has more than %L1 audit records, too many to export from the console: narrow it, or use `mandatectl audit export` with the same filters.</source>
        <translation>Die Herkunft umfasst mehr als %L1 Audit-Einträge, zu viele für einen Export aus der Konsole: Grenzen Sie sie ein oder verwenden Sie `mandatectl audit export` mit denselben Filtern.</translation>
    </message>
</context>
<context>
    <name>mandate::ui::MainWindow</name>
    <message>
        <source>Mandate Console</source>
        <translation>Mandate-Konsole</translation>
    </message>
    <message>
        <source>No keychain service is available: API keys are kept in memory for this session only.</source>
        <translation>Kein Schlüsselbund-Dienst verfügbar: API-Schlüssel werden nur für diese Sitzung im Speicher gehalten.</translation>
    </message>
    <message>
        <source>The registry could not be loaded.</source>
        <translation>Die Registry konnte nicht geladen werden.</translation>
    </message>
    <message numerus="yes">
        <source>%n pending change(s)</source>
        <translation>
            <numerusform>%n ausstehende Änderung</numerusform>
            <numerusform>%n ausstehende Änderungen</numerusform>
        </translation>
    </message>
    <message>
        <source>Registry editor</source>
        <translation>Registry-Editor</translation>
    </message>
    <message>
        <source>Delegation lineage</source>
        <translation>Delegationskette</translation>
    </message>
    <message>
        <source>Live monitor</source>
        <translation>Live-Monitor</translation>
    </message>
    <message>
        <source>Policy simulator</source>
        <translation>Richtliniensimulator</translation>
    </message>
    <message>
        <source>Undo history</source>
        <translation>Rückgängig-Verlauf</translation>
    </message>
    <message>
        <source>&lt;no local edits&gt;</source>
        <translation>&lt;keine lokalen Änderungen&gt;</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Gateways…</source>
        <translation>&amp;Gateways…</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>&amp;Trennen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>&amp;Farbschema</translation>
    </message>
    <message>
        <source>Follow the &amp;system</source>
        <translation>Dem &amp;System folgen</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>&amp;Hell</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>&amp;Dunkel</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Mandate Console</source>
        <translation>Über die Mandate-&amp;Konsole</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>Role: %1 (%2)</source>
        <translation>Rolle: %1 (%2)</translation>
    </message>
    <message>
        <source>Role: %1 (%2) — read-only</source>
        <translation>Rolle: %1 (%2) — schreibgeschützt</translation>
    </message>
    <message>
        <source>Mandate Console — %1[*]</source>
        <translation>Mandate-Konsole — %1[*]</translation>
    </message>
    <message>
        <source>Role: —</source>
        <translation>Rolle: —</translation>
    </message>
    <message>
        <source>The gateway does not accept this API key.</source>
        <translation>Das Gateway akzeptiert diesen API-Schlüssel nicht.</translation>
    </message>
    <message>
        <source>This API key may not use the console.</source>
        <translation>Dieser API-Schlüssel darf die Konsole nicht verwenden.</translation>
    </message>
    <message>
        <source>The gateway&apos;s TLS certificate could not be verified.</source>
        <translation>Das TLS-Zertifikat des Gateways konnte nicht überprüft werden.</translation>
    </message>
    <message>
        <source>The gateway does not answer.</source>
        <translation>Das Gateway antwortet nicht.</translation>
    </message>
    <message>
        <source>Cannot connect to %1.</source>
        <translation>Keine Verbindung zu %1 möglich.</translation>
    </message>
    <message>
        <source>Not connected. Open File → Gateways… (Ctrl+Shift+G) to connect to a gateway.</source>
        <translation>Nicht verbunden. Öffnen Sie Datei → Gateways… (Strg+Umschalt+G), um sich mit einem Gateway zu verbinden.</translation>
    </message>
    <message>
        <source>About Mandate Console</source>
        <translation>Über die Mandate-Konsole</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Mandate Console %1&lt;/h3&gt;&lt;p&gt;Governance for autonomous AI agents: delegation, per-call authorization, audit.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Gateway: %4&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Mandate-Konsole %1&lt;/h3&gt;&lt;p&gt;Governance für autonome KI-Agenten: Delegation, Autorisierung jedes Aufrufs, Audit.&lt;/p&gt;&lt;p&gt;Qt %2 (gebaut mit %3)&lt;br&gt;Gateway: %4&lt;/p&gt;</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>nicht verbunden</translation>
    </message>
    <message>
        <source>Discard pending changes?</source>
        <translation>Ausstehende Änderungen verwerfen?</translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) were not pushed to the gateway and will be lost.</source>
        <translation>
            <numerusform>%n Änderung wurde nicht an das Gateway übertragen und geht verloren.</numerusform>
            <numerusform>%n Änderungen wurden nicht an das Gateway übertragen und gehen verloren.</numerusform>
        </translation>
    </message>
    <message>
        <source>Not connected: the registry&apos;s pending changes are kept. Push or undo them, or choose to discard them.</source>
        <translation>Nicht verbunden: Die ausstehenden Änderungen an der Registry bleiben erhalten. Übertragen Sie sie, machen Sie sie rückgängig oder verwerfen Sie sie ausdrücklich.</translation>
    </message>
</context>
<context>
    <name>mandate::ui::MonitorView</name>
    <message>
        <source>&lt;b&gt;Live monitor&lt;/b&gt;</source>
        <translation>&lt;b&gt;Live-Monitor&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Window:</source>
        <translation>Zeitfenster:</translation>
    </message>
    <message>
        <source>1 minute</source>
        <translation>1 Minute</translation>
    </message>
    <message>
        <source>5 minutes</source>
        <translation>5 Minuten</translation>
    </message>
    <message>
        <source>15 minutes</source>
        <translation>15 Minuten</translation>
    </message>
    <message>
        <source>allowed</source>
        <translation>erlaubt</translation>
    </message>
    <message>
        <source>denied</source>
        <translation>verweigert</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>highest risk</source>
        <translation>höchstes Risiko</translation>
    </message>
    <message>
        <source>Decisions per second</source>
        <translation>Entscheidungen pro Sekunde</translation>
    </message>
    <message>
        <source>per s</source>
        <translation>pro s</translation>
    </message>
    <message>
        <source>Decision latency</source>
        <translation>Entscheidungslatenz</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>Risk</source>
        <translation>Risiko</translation>
    </message>
    <message>
        <source>score</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>&lt;b&gt;Active executions&lt;/b&gt;</source>
        <translation>&lt;b&gt;Aktive Ausführungen&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Filter by agent, human, purpose, action or id</source>
        <translation>Nach Agent, Mensch, Zweck, Aktion oder Kennung filtern</translation>
    </message>
    <message>
        <source>Revoke…</source>
        <translation>Widerrufen…</translation>
    </message>
    <message>
        <source>seconds ago</source>
        <translation>Sekunden zuvor</translation>
    </message>
    <message>
        <source>%1 allowed · %2 denied</source>
        <translation>%1 erlaubt · %2 verweigert</translation>
    </message>
    <message>
        <source> · %1 dropped by the gateway (the console lagged)</source>
        <translation> · %1 vom Gateway verworfen (die Konsole kam nicht nach)</translation>
    </message>
    <message>
        <source>Connecting to the event stream…</source>
        <translation>Verbinde mit dem Ereignisstrom…</translation>
    </message>
    <message>
        <source>● Live</source>
        <translation>● Live</translation>
    </message>
    <message>
        <source>Event stream lost; reconnecting in %1 s…</source>
        <translation>Ereignisstrom verloren; neuer Versuch in %1 s…</translation>
    </message>
    <message>
        <source>Event stream refused by the gateway: %1</source>
        <translation>Ereignisstrom vom Gateway abgelehnt: %1</translation>
    </message>
    <message>
        <source>Could not list active executions: %1</source>
        <translation>Aktive Ausführungen konnten nicht gelistet werden: %1</translation>
    </message>
    <message>
        <source>Revoke the selected execution and every execution it delegated to</source>
        <translation>Die gewählte Ausführung und alle an sie delegierten Ausführungen widerrufen</translation>
    </message>
    <message>
        <source>Revoking needs an admin API key</source>
        <translation>Widerrufen erfordert einen Admin-API-Schlüssel</translation>
    </message>
    <message>
        <source>Revoke execution</source>
        <translation>Ausführung widerrufen</translation>
    </message>
    <message>
        <source>Revoke execution %1 of %2?

Every execution it delegated to is revoked too; their tokens stop working at once.</source>
        <translation>Ausführung %1 von %2 widerrufen?

Jede an sie delegierte Ausführung wird ebenfalls widerrufen; ihre Tokens verlieren sofort ihre Gültigkeit.</translation>
    </message>
    <message>
        <source>Revoke</source>
        <translation>Widerrufen</translation>
    </message>
    <message>
        <source>Revoking %1…</source>
        <translation>Widerrufe %1…</translation>
    </message>
    <message>
        <source>revoked in the console&apos;s live monitor</source>
        <translation>im Live-Monitor der Konsole widerrufen</translation>
    </message>
    <message>
        <source>Could not revoke %1: %2</source>
        <translation>%1 konnte nicht widerrufen werden: %2</translation>
    </message>
    <message numerus="yes">
        <source>Revoked %n execution(s): %1</source>
        <translation>
            <numerusform>%n Ausführung widerrufen: %1</numerusform>
            <numerusform>%n Ausführungen widerrufen: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>mandate::ui::PlannedView</name>
    <message>
        <source>Not available yet: this view comes in a later version of Mandate.</source>
        <translation>Noch nicht verfügbar: Diese Ansicht kommt in einer späteren Version von Mandate.</translation>
    </message>
</context>
<context>
    <name>mandate::ui::PolicyVersionsPanel</name>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Veröffentlicht</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>Kommentar</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Open in the editor</source>
        <translation>Im Editor öffnen</translation>
    </message>
    <message>
        <source>Restore…</source>
        <translation>Wiederherstellen…</translation>
    </message>
    <message>
        <source>Could not read the version: %1</source>
        <translation>Die Version konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Could not list the policy versions: %1</source>
        <translation>Die Richtlinienversionen konnten nicht aufgelistet werden: %1</translation>
    </message>
    <message>
        <source>%1 (live)</source>
        <translation>%1 (aktiv)</translation>
    </message>
    <message>
        <source>Publish the selected version again, as a new version</source>
        <translation>Die gewählte Version erneut als neue Version veröffentlichen</translation>
    </message>
    <message>
        <source>Restoring needs an admin API key</source>
        <translation>Wiederherstellen erfordert einen Admin-API-Schlüssel</translation>
    </message>
    <message>
        <source>Restore policy version</source>
        <translation>Richtlinienversion wiederherstellen</translation>
    </message>
    <message>
        <source>Publish version %1 again as the gateway&apos;s policy set?

It takes effect for the next decision; version %2 stays in the history.</source>
        <translation>Version %1 erneut als Richtliniensatz des Gateways veröffentlichen?

Sie gilt ab der nächsten Entscheidung; Version %2 bleibt im Verlauf erhalten.</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <source>Restoring version %1…</source>
        <translation>Stelle Version %1 wieder her…</translation>
    </message>
    <message>
        <source>Could not restore version %1: %2</source>
        <translation>Version %1 konnte nicht wiederhergestellt werden: %2</translation>
    </message>
    <message>
        <source>Version %1 restored as version %2.</source>
        <translation>Version %1 als Version %2 wiederhergestellt.</translation>
    </message>
</context>
<context>
    <name>mandate::ui::PushController</name>
    <message>
        <source>%1 %2: %3</source>
        <translation>%1 %2: %3</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>Werkzeug</translation>
    </message>
    <message>
        <source>%1: conflict left unresolved; your edit is still pending</source>
        <translation>%1: Konflikt nicht aufgelöst; Ihre Änderung steht weiter aus</translation>
    </message>
</context>
<context>
    <name>mandate::ui::RecordTableModel</name>
    <message>
        <source>new</source>
        <translation>neu</translation>
    </message>
    <message>
        <source>modified</source>
        <translation>geändert</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>gelöscht</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
</context>
<context>
    <name>mandate::ui::RegistryDocument</name>
    <message>
        <source>Edit %1 of agent %2</source>
        <translation>%1 von Agent %2 bearbeiten</translation>
    </message>
    <message>
        <source>Edit %1 of tool %2</source>
        <translation>%1 von Werkzeug %2 bearbeiten</translation>
    </message>
    <message>
        <source>New agent</source>
        <translation>Neuer Agent</translation>
    </message>
    <message>
        <source>Create agent %1</source>
        <translation>Agent %1 anlegen</translation>
    </message>
    <message>
        <source>Delete agent %1</source>
        <translation>Agent %1 löschen</translation>
    </message>
</context>
<context>
    <name>mandate::ui::RegistryTransfer</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Exported %1 agents and %2 tools to %3.</source>
        <translation>%1 Agenten und %2 Werkzeuge nach %3 exportiert.</translation>
    </message>
    <message>
        <source>%1 is valid.</source>
        <translation>%1 ist gültig.</translation>
    </message>
    <message>
        <source>Imported: %1 records created, %2 updated.</source>
        <translation>Importiert: %1 Einträge angelegt, %2 aktualisiert.</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 is not a registry JSON file: %2</source>
        <translation>%1 ist keine Registry-JSON-Datei: %2</translation>
    </message>
</context>
<context>
    <name>mandate::ui::RegistryView</name>
    <message>
        <source>&amp;New agent</source>
        <translation>&amp;Neuer Agent</translation>
    </message>
    <message>
        <source>&amp;Delete agent</source>
        <translation>Agent &amp;löschen</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederherstellen</translation>
    </message>
    <message>
        <source>Review &amp;&amp; &amp;push…</source>
        <translation>Prüfen &amp;&amp; über&amp;tragen…</translation>
    </message>
    <message>
        <source>Re&amp;load from gateway</source>
        <translation>Vom Gateway neu &amp;laden</translation>
    </message>
    <message>
        <source>Discard pending changes?</source>
        <translation>Ausstehende Änderungen verwerfen?</translation>
    </message>
    <message numerus="yes">
        <source>Reloading replaces your %n pending change(s) with the gateway&apos;s registry.</source>
        <translation>
            <numerusform>Neu laden ersetzt Ihre %n ausstehende Änderung durch die Registry des Gateways.</numerusform>
            <numerusform>Neu laden ersetzt Ihre %n ausstehenden Änderungen durch die Registry des Gateways.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Import registry…</source>
        <translation>Registry &amp;importieren…</translation>
    </message>
    <message>
        <source>Import registry</source>
        <translation>Registry importieren</translation>
    </message>
    <message>
        <source>Registry JSON (*.json)</source>
        <translation>Registry-JSON (*.json)</translation>
    </message>
    <message>
        <source>&amp;Check registry file…</source>
        <translation>Registry-Datei &amp;prüfen…</translation>
    </message>
    <message>
        <source>Check registry file</source>
        <translation>Registry-Datei prüfen</translation>
    </message>
    <message>
        <source>&amp;Export registry…</source>
        <translation>Registry &amp;exportieren…</translation>
    </message>
    <message>
        <source>Export registry</source>
        <translation>Registry exportieren</translation>
    </message>
    <message>
        <source>Filter (Ctrl+F)</source>
        <translation>Filter (Strg+F)</translation>
    </message>
    <message>
        <source>Pending only</source>
        <translation>Nur ausstehende</translation>
    </message>
    <message>
        <source>&amp;Agents</source>
        <translation>&amp;Agenten</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Werkzeuge</translation>
    </message>
    <message>
        <source>Stop push</source>
        <translation>Übertragung anhalten</translation>
    </message>
    <message>
        <source>Stop after the change being sent now; the rest stays pending.</source>
        <translation>Nach der gerade gesendeten Änderung anhalten; der Rest bleibt ausstehend.</translation>
    </message>
    <message>
        <source>Pushing %1 (%2 of %3)…</source>
        <translation>Übertrage %1 (%2 von %3)…</translation>
    </message>
    <message>
        <source>Agent %1</source>
        <translation>Agent %1</translation>
    </message>
    <message>
        <source>Tool %1</source>
        <translation>Werkzeug %1</translation>
    </message>
    <message>
        <source>%1 changed on the gateway meanwhile — choose which version to keep.</source>
        <translation>%1 wurde inzwischen auf dem Gateway geändert — wählen Sie, welche Version gelten soll.</translation>
    </message>
    <message numerus="yes">
        <source>Pushed %n change(s).</source>
        <translation>
            <numerusform>%n Änderung übertragen.</numerusform>
            <numerusform>%n Änderungen übertragen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Push stopped; the remaining changes are still pending.</source>
        <translation>Übertragung angehalten; die übrigen Änderungen stehen weiter aus.</translation>
    </message>
    <message>
        <source>Not pushed:</source>
        <translation>Nicht übertragen:</translation>
    </message>
    <message>
        <source>Review &amp;&amp; &amp;push (%1)…</source>
        <translation>Prüfen &amp;&amp; über&amp;tragen (%1)…</translation>
    </message>
    <message>
        <source>Loading the registry…</source>
        <translation>Lade die Registry…</translation>
    </message>
    <message numerus="yes">
        <source>%n agent(s) and %1 tool(s) loaded from the gateway.</source>
        <translation>
            <numerusform>%n Agent und %1 Werkzeug(e) vom Gateway geladen.</numerusform>
            <numerusform>%n Agenten und %1 Werkzeug(e) vom Gateway geladen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Loading the registry failed: %1</source>
        <translation>Laden der Registry fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Nothing to push: there are no pending changes.</source>
        <translation>Nichts zu übertragen: Es gibt keine ausstehenden Änderungen.</translation>
    </message>
    <message>
        <source>Exporting the registry…</source>
        <translation>Exportiere die Registry…</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>Prüfe %1…</translation>
    </message>
    <message numerus="yes">
        <source>Push or undo your %n pending change(s) before importing a registry file.</source>
        <translation>
            <numerusform>Übertragen oder verwerfen Sie Ihre %n ausstehende Änderung, bevor Sie eine Registry-Datei importieren.</numerusform>
            <numerusform>Übertragen oder verwerfen Sie Ihre %n ausstehenden Änderungen, bevor Sie eine Registry-Datei importieren.</numerusform>
        </translation>
    </message>
    <message>
        <source>Importing %1…</source>
        <translation>Importiere %1…</translation>
    </message>
    <message numerus="yes">
        <source>Nothing was imported: the gateway found %n invalid record field(s).</source>
        <translation>
            <numerusform>Nichts wurde importiert: Das Gateway fand %n ungültiges Feld.</numerusform>
            <numerusform>Nichts wurde importiert: Das Gateway fand %n ungültige Felder.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>mandate::ui::ReplayPanel</name>
    <message>
        <source>allow</source>
        <translation>erlaubt</translation>
    </message>
    <message>
        <source>deny</source>
        <translation>verweigert</translation>
    </message>
    <message>
        <source>Determining policies:</source>
        <translation>Ausschlaggebende Richtlinien:</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>Errors:</source>
        <translation>Fehler:</translation>
    </message>
    <message>
        <source>any</source>
        <translation>beliebig</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;Von:</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;Bis:</translation>
    </message>
    <message>
        <source>A&amp;gent:</source>
        <translation>A&amp;gent:</translation>
    </message>
    <message>
        <source>T&amp;ool:</source>
        <translation>&amp;Werkzeug:</translation>
    </message>
    <message>
        <source>&amp;Human:</source>
        <translation>&amp;Mensch:</translation>
    </message>
    <message>
        <source>&amp;Replay</source>
        <translation>Wieder&amp;holen</translation>
    </message>
    <message>
        <source>Re-decide every recorded request in range under the candidate, on this computer</source>
        <translation>Jede aufgezeichnete Anfrage im Zeitraum mit dem Entwurf neu entscheiden, lokal auf diesem Computer</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Pick the recorded traffic and press Replay.</source>
        <translation>Wählen Sie den aufgezeichneten Datenverkehr aus und klicken Sie auf „Wiederholen“.</translation>
    </message>
    <message>
        <source>&amp;Break down by:</source>
        <translation>&amp;Aufschlüsseln nach:</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>Werkzeug</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Determining policy</source>
        <translation>Ausschlaggebende Richtlinie</translation>
    </message>
    <message>
        <source>What-if from
this request</source>
        <translation>Was-wäre-wenn
mit dieser Anfrage</translation>
    </message>
    <message>
        <source>Changed decisions</source>
        <translation>Geänderte Entscheidungen</translation>
    </message>
    <message>
        <source>Breakdown</source>
        <translation>Aufschlüsselung</translation>
    </message>
    <message>
        <source>replayed</source>
        <translation>wiederholt</translation>
    </message>
    <message>
        <source>newly denied</source>
        <translation>neu verweigert</translation>
    </message>
    <message>
        <source>newly allowed</source>
        <translation>neu erlaubt</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>unverändert</translation>
    </message>
    <message>
        <source>Cannot replay: %1</source>
        <translation>Wiederholung nicht möglich: %1</translation>
    </message>
    <message>
        <source>Changed decisions (%1)</source>
        <translation>Geänderte Entscheidungen (%1)</translation>
    </message>
    <message>
        <source>Replay stopped: %1</source>
        <translation>Wiederholung abgebrochen: %1</translation>
    </message>
    <message>
        <source>No recorded decisions in this range.</source>
        <translation>Keine aufgezeichneten Entscheidungen in diesem Zeitraum.</translation>
    </message>
    <message>
        <source>The table shows the first %1 changes.</source>
        <translation>Die Tabelle zeigt die ersten %1 Änderungen.</translation>
    </message>
    <message>
        <source>Recorded decision</source>
        <translation>Aufgezeichnete Entscheidung</translation>
    </message>
    <message>
        <source>Under the candidate</source>
        <translation>Mit dem Entwurf</translation>
    </message>
    <message numerus="yes">
        <source>Replaying… %Ln recorded decision(s) re-decided</source>
        <translation>
            <numerusform>Wiederhole… %Ln aufgezeichnete Entscheidung neu entschieden</numerusform>
            <numerusform>Wiederhole… %Ln aufgezeichnete Entscheidungen neu entschieden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Cancelled after %Ln recorded decision(s); the results so far are shown.</source>
        <translation>
            <numerusform>Abgebrochen nach %Ln aufgezeichneten Entscheidung; die bisherigen Ergebnisse werden angezeigt.</numerusform>
            <numerusform>Abgebrochen nach %Ln aufgezeichneten Entscheidungen; die bisherigen Ergebnisse werden angezeigt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Replayed %Ln recorded decision(s): %1 newly denied, %2 newly allowed.</source>
        <translation>
            <numerusform>%Ln aufgezeichnete Entscheidung wiederholt: %1 neu verweigert, %2 neu erlaubt.</numerusform>
            <numerusform>%Ln aufgezeichnete Entscheidungen wiederholt: %1 neu verweigert, %2 neu erlaubt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln skipped (no longer fitting the schema), e.g. %1</source>
        <translation>
            <numerusform>%Ln übersprungen (passt nicht mehr zum Schema), z. B. %1</numerusform>
            <numerusform>%Ln übersprungen (passen nicht mehr zum Schema), z. B. %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Replay recorded traffic to see what the candidate would change.</source>
        <translation>Spielen Sie aufgezeichneten Datenverkehr ab, um zu sehen, was der Kandidat ändern würde.</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ReplayRunner</name>
    <message>
        <source>a replay is already running</source>
        <translation>eine Wiederholung läuft bereits</translation>
    </message>
    <message>
        <source>not connected to a gateway</source>
        <translation>nicht mit einem Gateway verbunden</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ReplayTimelineChart</name>
    <message>
        <source>Replayed decisions over time</source>
        <translation>Wiederholte Entscheidungen im Zeitverlauf</translation>
    </message>
    <message>
        <source>newly denied</source>
        <translation>neu verweigert</translation>
    </message>
    <message>
        <source>newly allowed</source>
        <translation>neu erlaubt</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>unverändert</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ReviewDialog</name>
    <message>
        <source>Review pending changes</source>
        <translation>Ausstehende Änderungen prüfen</translation>
    </message>
    <message>
        <source>These changes are only in this console. Pushing sends them to the gateway; each one fails safely if the record changed there in the meantime.</source>
        <translation>Diese Änderungen gibt es nur in dieser Konsole. Beim Übertragen gehen sie an das Gateway; jede schlägt sicher fehl, wenn sich der Eintrag dort inzwischen geändert hat.</translation>
    </message>
    <message>
        <source>Record / field</source>
        <translation>Eintrag / Feld</translation>
    </message>
    <message>
        <source>On the gateway</source>
        <translation>Auf dem Gateway</translation>
    </message>
    <message>
        <source>After push</source>
        <translation>Nach dem Übertragen</translation>
    </message>
    <message>
        <source>Push</source>
        <translation>Übertragen</translation>
    </message>
    <message numerus="yes">
        <source>Push %n change(s)</source>
        <translation>
            <numerusform>%n Änderung übertragen</numerusform>
            <numerusform>%n Änderungen übertragen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) are invalid; fix them before pushing.</source>
        <translation>
            <numerusform>%n Eintrag ist ungültig; korrigieren Sie ihn vor dem Übertragen.</numerusform>
            <numerusform>%n Einträge sind ungültig; korrigieren Sie sie vor dem Übertragen.</numerusform>
        </translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>version %1</source>
        <translation>Version %1</translation>
    </message>
    <message>
        <source>(whole record)</source>
        <translation>(ganzer Eintrag)</translation>
    </message>
    <message>
        <source>exists</source>
        <translation>vorhanden</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>gelöscht</translation>
    </message>
    <message>
        <source>invalid: %1</source>
        <translation>ungültig: %1</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>Werkzeug</translation>
    </message>
    <message>
        <source>another agent already has this id</source>
        <translation>ein anderer Agent hat bereits diese Kennung</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ShipDialog</name>
    <message>
        <source>Ship the candidate policy set</source>
        <translation>Richtlinienentwurf ausrollen</translation>
    </message>
    <message>
        <source>&lt;b&gt;Publish the candidate on %1 as the version after %2?&lt;/b&gt;</source>
        <translation>&lt;b&gt;Den Entwurf auf %1 als Nachfolger von Version %2 veröffentlichen?&lt;/b&gt;</translation>
    </message>
    <message numerus="yes">
        <source>The replay re-decided %n recorded request(s):</source>
        <translation>
            <numerusform>Die Wiederholung hat %n aufgezeichnete Anfrage neu entschieden:</numerusform>
            <numerusform>Die Wiederholung hat %n aufgezeichnete Anfragen neu entschieden:</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 newly denied</source>
        <translation>%1 neu verweigert</translation>
    </message>
    <message>
        <source>%1 newly allowed</source>
        <translation>%1 neu erlaubt</translation>
    </message>
    <message>
        <source>%1 unchanged</source>
        <translation>%1 unverändert</translation>
    </message>
    <message>
        <source>%1 (%2 denied, %3 allowed)</source>
        <translation>%1 (%2 verweigert, %3 erlaubt)</translation>
    </message>
    <message>
        <source>Agents affected: %1.</source>
        <translation>Betroffene Agenten: %1.</translation>
    </message>
    <message numerus="yes">
        <source>%n recorded request(s) no longer fit the schema and were skipped.</source>
        <translation>
            <numerusform>%n aufgezeichnete Anfrage passt nicht mehr zum Schema und wurde übersprungen.</numerusform>
            <numerusform>%n aufgezeichnete Anfragen passen nicht mehr zum Schema und wurden übersprungen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Version %1 is kept and can be restored from the Versions tab.</source>
        <translation>Version %1 bleibt erhalten und lässt sich im Reiter „Versionen“ wiederherstellen.</translation>
    </message>
    <message>
        <source>Why this change (kept in the version history)</source>
        <translation>Grund für die Änderung (bleibt im Versionsverlauf erhalten)</translation>
    </message>
    <message>
        <source>&amp;Comment:</source>
        <translation>&amp;Kommentar:</translation>
    </message>
    <message>
        <source>Ship it</source>
        <translation>Ausrollen</translation>
    </message>
</context>
<context>
    <name>mandate::ui::SimulatorView</name>
    <message>
        <source>&lt;b&gt;Policy simulator&lt;/b&gt;</source>
        <translation>&lt;b&gt;Richtliniensimulator&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Reload from the gateway</source>
        <translation>Vom Gateway neu laden</translation>
    </message>
    <message>
        <source>Insert rule</source>
        <translation>Regel einfügen</translation>
    </message>
    <message>
        <source>Ship it…</source>
        <translation>Ausrollen…</translation>
    </message>
    <message>
        <source>Replay</source>
        <translation>Wiederholung</translation>
    </message>
    <message>
        <source>What-if</source>
        <translation>Was-wäre-wenn</translation>
    </message>
    <message>
        <source>Versions</source>
        <translation>Versionen</translation>
    </message>
    <message>
        <source>Version %1 is in the editor as the candidate; replay it to see what restoring it would do.</source>
        <translation>Version %1 ist als Entwurf im Editor; wiederholen Sie damit den Datenverkehr, um zu sehen, was eine Wiederherstellung bewirken würde.</translation>
    </message>
    <message>
        <source>The gateway now serves version %1.</source>
        <translation>Das Gateway verwendet jetzt Version %1.</translation>
    </message>
    <message>
        <source>Loading the gateway&apos;s policy set…</source>
        <translation>Lade den Richtliniensatz des Gateways…</translation>
    </message>
    <message>
        <source>Could not load the policy set: %1</source>
        <translation>Der Richtliniensatz konnte nicht geladen werden: %1</translation>
    </message>
    <message>
        <source>Edit the candidate, then replay recorded traffic to see what it would change.</source>
        <translation>Bearbeiten Sie den Entwurf und wiederholen Sie dann aufgezeichneten Datenverkehr, um zu sehen, was er ändern würde.</translation>
    </message>
    <message>
        <source>Your edits are kept; the gateway serves version %1.</source>
        <translation>Ihre Änderungen bleiben erhalten; das Gateway verwendet Version %1.</translation>
    </message>
    <message>
        <source>The gateway has no policy set yet</source>
        <translation>Das Gateway hat noch keinen Richtliniensatz</translation>
    </message>
    <message>
        <source>Version %1 on the gateway, by %2</source>
        <translation>Version %1 auf dem Gateway, von %2</translation>
    </message>
    <message numerus="yes">
        <source>✓ %n policies parse</source>
        <translation>
            <numerusform>✓ %n Richtlinie fehlerfrei</numerusform>
            <numerusform>✓ %n Richtlinien fehlerfrei</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n template(s)</source>
        <translation>
            <numerusform>, %n Vorlage</numerusform>
            <numerusform>, %n Vorlagen</numerusform>
        </translation>
    </message>
    <message>
        <source>line %1, column %2</source>
        <translation>Zeile %1, Spalte %2</translation>
    </message>
    <message>
        <source>policy set</source>
        <translation>Richtliniensatz</translation>
    </message>
    <message>
        <source>Shipping needs an admin API key</source>
        <translation>Ausrollen erfordert einen Admin-API-Schlüssel</translation>
    </message>
    <message>
        <source>The candidate is the gateway&apos;s current policy set</source>
        <translation>Der Entwurf ist der aktuelle Richtliniensatz des Gateways</translation>
    </message>
    <message>
        <source>Fix the candidate&apos;s errors first</source>
        <translation>Beheben Sie zuerst die Fehler im Entwurf</translation>
    </message>
    <message>
        <source>Replay recorded traffic under exactly this candidate first</source>
        <translation>Wiederholen Sie zuerst aufgezeichneten Datenverkehr mit genau diesem Entwurf</translation>
    </message>
    <message>
        <source>Publish the candidate to the gateway</source>
        <translation>Den Entwurf auf dem Gateway veröffentlichen</translation>
    </message>
    <message>
        <source>Publishing…</source>
        <translation>Veröffentliche…</translation>
    </message>
    <message>
        <source>Not shipped: %1</source>
        <translation>Nicht ausgerollt: %1</translation>
    </message>
    <message>
        <source>Shipped: the gateway now serves version %1. Version %2 can be restored from the Versions tab.</source>
        <translation>Ausgerollt: Das Gateway verwendet jetzt Version %1. Version %2 lässt sich im Reiter „Versionen“ wiederherstellen.</translation>
    </message>
    <message>
        <source>The gateway does not serve its Cedar schema (%1); the console&apos;s own copy is used.</source>
        <translation>Das Gateway stellt sein Cedar-Schema nicht bereit (%1); die Konsole verwendet ihre eigene Kopie.</translation>
    </message>
    <message>
        <source>The gateway&apos;s Cedar schema cannot be read (%1); the console&apos;s own copy is used.</source>
        <translation>Das Cedar-Schema des Gateways kann nicht gelesen werden (%1); die Konsole verwendet ihre eigene Kopie.</translation>
    </message>
    <message>
        <source>The gateway now serves version %1; your candidate is kept in the editor.</source>
        <translation>Das Gateway verwendet jetzt Version %1; Ihr Kandidat bleibt im Editor.</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbinde…</translation>
    </message>
    <message>
        <source>Replace the candidate?</source>
        <translation>Kandidat ersetzen?</translation>
    </message>
    <message>
        <source>The editor holds a candidate that differs from the gateway&apos;s policy set. Replacing it cannot be undone.</source>
        <translation>Der Editor enthält einen Kandidaten, der vom Regelwerk des Gateways abweicht. Das Ersetzen kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <source>Not shipped: someone published version %1 meanwhile. Your candidate is kept: compare it with version %1 in the Versions tab, then replay again and ship.</source>
        <translation>Nicht ausgerollt: Inzwischen wurde Version %1 veröffentlicht. Ihr Kandidat bleibt erhalten: Vergleichen Sie ihn im Reiter Versionen mit Version %1, spielen Sie den Datenverkehr erneut ab und rollen Sie dann aus.</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ToolForm</name>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>Bes&amp;chreibung:</translation>
    </message>
    <message>
        <source>&amp;Upstream URL:</source>
        <translation>&amp;Upstream-URL:</translation>
    </message>
    <message>
        <source>&amp;Risk weight:</source>
        <translation>&amp;Risikogewicht:</translation>
    </message>
    <message>
        <source> / min</source>
        <translation> / min</translation>
    </message>
    <message>
        <source>Rate &amp;limit:</source>
        <translation>Raten&amp;grenze:</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>Flag</source>
        <translation>Markieren</translation>
    </message>
    <message>
        <source>Redact</source>
        <translation>Schwärzen</translation>
    </message>
    <message>
        <source>Block</source>
        <translation>Blockieren</translation>
    </message>
    <message>
        <source>Response &amp;inspection:</source>
        <translation>Antwort&amp;prüfung:</translation>
    </message>
    <message>
        <source>Actions:</source>
        <translation>Aktionen:</translation>
    </message>
    <message>
        <source>Select a tool in the table.</source>
        <translation>Wählen Sie ein Werkzeug in der Tabelle aus.</translation>
    </message>
    <message>
        <source>Tool %1 — version %2 on the gateway</source>
        <translation>Werkzeug %1 — Version %2 auf dem Gateway</translation>
    </message>
    <message>
        <source>Tool %1 — modified locally</source>
        <translation>Werkzeug %1 — lokal geändert</translation>
    </message>
</context>
<context>
    <name>mandate::ui::ToolTableModel</name>
    <message>
        <source>Id</source>
        <translation>Kennung</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Aktionen</translation>
    </message>
    <message>
        <source>Upstream</source>
        <translation>Upstream</translation>
    </message>
    <message>
        <source>Risk</source>
        <translation>Risiko</translation>
    </message>
    <message>
        <source>Rate/min</source>
        <translation>Rate/min</translation>
    </message>
    <message>
        <source>Inspection</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
</context>
<context>
    <name>mandate::ui::WhatIfPanel</name>
    <message>
        <source>%1: %2 at offset %3</source>
        <translation>%1: %2 an Position %3</translation>
    </message>
    <message>
        <source>%1: expected a JSON array</source>
        <translation>%1: JSON-Array erwartet</translation>
    </message>
    <message>
        <source>%1: expected a JSON object</source>
        <translation>%1: JSON-Objekt erwartet</translation>
    </message>
    <message>
        <source>Start from a recorded request:</source>
        <translation>Von einer aufgezeichneten Anfrage ausgehen:</translation>
    </message>
    <message>
        <source>Replay first to pick from recorded traffic</source>
        <translation>Erst wiederholen, um aus aufgezeichnetem Datenverkehr zu wählen</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>Anfrage</translation>
    </message>
    <message>
        <source>&amp;Principal:</source>
        <translation>&amp;Principal:</translation>
    </message>
    <message>
        <source>&amp;Action:</source>
        <translation>&amp;Aktion:</translation>
    </message>
    <message>
        <source>&amp;Resource:</source>
        <translation>&amp;Ressource:</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Kontext</translation>
    </message>
    <message>
        <source>Entities</source>
        <translation>Entitäten</translation>
    </message>
    <message>
        <source>&amp;Decide under the candidate</source>
        <translation>Mit dem Entwurf &amp;entscheiden</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Entscheidung</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>Fill in a request, or start from a recorded one, and decide it.</source>
        <translation>Geben Sie eine Anfrage ein oder gehen Sie von einer aufgezeichneten aus, und lassen Sie sie entscheiden.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Determining policies&lt;/b&gt;</source>
        <translation>&lt;b&gt;Ausschlaggebende Richtlinien&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Errors&lt;/b&gt; (an erroring policy is skipped)</source>
        <translation>&lt;b&gt;Fehler&lt;/b&gt; (eine fehlerhafte Richtlinie wird übersprungen)</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 · %4</source>
        <translation>%1 · %2 · %3 · %4</translation>
    </message>
    <message>
        <source>allowed</source>
        <translation>erlaubt</translation>
    </message>
    <message>
        <source>denied</source>
        <translation>verweigert</translation>
    </message>
    <message>
        <source>No recorded requests in the last replay</source>
        <translation>Keine aufgezeichneten Anfragen in der letzten Wiederholung</translation>
    </message>
    <message numerus="yes">
        <source>Pick one of %n recorded request(s)</source>
        <translation>
            <numerusform>%n aufgezeichnete Anfrage zur Auswahl</numerusform>
            <numerusform>Eine von %n aufgezeichneten Anfragen wählen</numerusform>
        </translation>
    </message>
    <message>
        <source>entity</source>
        <translation>Entität</translation>
    </message>
    <message>
        <source>“%1” is not an entity like Tool::&quot;refund&quot;</source>
        <translation>„%1“ ist keine Entität wie Tool::&quot;refund&quot;</translation>
    </message>
    <message>
        <source>principal</source>
        <translation>Principal</translation>
    </message>
    <message>
        <source>action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>resource</source>
        <translation>Ressource</translation>
    </message>
    <message>
        <source>context</source>
        <translation>Kontext</translation>
    </message>
    <message>
        <source>entities</source>
        <translation>Entitäten</translation>
    </message>
    <message>
        <source>Allowed by %1.</source>
        <translation>Erlaubt durch %1.</translation>
    </message>
    <message>
        <source>Forbidden by %1: a forbid policy matched, and forbid overrides any permit.</source>
        <translation>Verboten durch %1: Eine forbid-Richtlinie traf zu, und forbid hat Vorrang vor jedem permit.</translation>
    </message>
    <message>
        <source>Denied because no permit policy matched (Cedar denies by default).</source>
        <translation>Verweigert, weil keine permit-Richtlinie zutraf (Cedar verweigert standardmäßig).</translation>
    </message>
    <message>
        <source>The candidate policy set cannot decide: %1</source>
        <translation>Der Richtlinienentwurf kann nicht entscheiden: %1</translation>
    </message>
    <message>
        <source>The request does not fit the schema: %1</source>
        <translation>Die Anfrage passt nicht zum Schema: %1</translation>
    </message>
    <message>
        <source>ALLOW</source>
        <translation>ERLAUBT</translation>
    </message>
    <message>
        <source>DENY</source>
        <translation>VERWEIGERT</translation>
    </message>
    <message>
        <source>Evaluator: %1</source>
        <translation>Evaluator: %1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>no determining policy</source>
        <translation>keine ausschlaggebende Richtlinie</translation>
    </message>
    <message>
        <source>Recorded: %1 (%2) — the candidate decides the same.</source>
        <translation>Aufgezeichnet: %1 (%2) — der Entwurf entscheidet gleich.</translation>
    </message>
    <message>
        <source>Recorded: %1 (%2) — the candidate changes this decision.</source>
        <translation>Aufgezeichnet: %1 (%2) — der Entwurf ändert diese Entscheidung.</translation>
    </message>
</context>
</TS>
