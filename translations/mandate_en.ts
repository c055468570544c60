<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
  <context>
    <name>mandate::ui::ExecutionTableModel</name>
    <message numerus="yes">
      <source>%1 · %n call(s)</source>
      <translation>
        <numerusform>%1 · %n call</numerusform>
        <numerusform>%1 · %n calls</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>mandate::ui::LineageDetailsPanel</name>
    <message numerus="yes">
      <source>%n call(s), %1 tokens, amount %2</source>
      <translation>
        <numerusform>%n call, %1 tokens, amount %2</numerusform>
        <numerusform>%n calls, %1 tokens, amount %2</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>mandate::ui::LineageScene</name>
    <message numerus="yes">
      <source>%n call(s), %1</source>
      <translation>
        <numerusform>%n call, %1</numerusform>
        <numerusform>%n calls, %1</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>mandate::ui::MainWindow</name>
    <message numerus="yes">
      <source>%n pending change(s)</source>
      <translation>
        <numerusform>%n pending change</numerusform>
        <numerusform>%n pending changes</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n change(s) were not pushed to the gateway and will be lost.</source>
      <translation>
        <numerusform>%n change was not pushed to the gateway and will be lost.</numerusform>
        <numerusform>%n changes were not pushed to the gateway and will be lost.</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>mandate::ui::MonitorView</name>
    <message numerus="yes">
      <source>Revoked %n execution(s): %1</source>
      <translation>
        <numerusform>Revoked %n execution: %1</numerusform>
        <numerusform>Revoked %n executions: %1</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>mandate::ui::RegistryView</name>
    <message numerus="yes">
      <source>Reloading replaces your %n pending change(s) with the gateway's registry.</source>
      <translation>
        <numerusform>Reloading replaces your %n pending change with the gateway's registry.</numerusform>
        <numerusform>Reloading replaces your %n pending changes with the gateway's registry.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Pushed %n change(s).</source>
      <translation>
        <numerusform>Pushed %n change.</numerusform>
        <numerusform>Pushed %n changes.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n agent(s) and %1 tool(s) loaded from the gateway.</source>
      <translation>
        <numerusform>%n agent and %1 tool(s) loaded from the gateway.</numerusform>
        <numerusform>%n agents and %1 tool(s) loaded from the gateway.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Push or undo your %n pending change(s) before importing a registry file.</source>
      <translation>
        <numerusform>Push or undo your %n pending change before importing a registry file.</numerusform>
        <numerusform>Push or undo your %n pending changes before importing a registry file.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Nothing was imported: the gateway found %n invalid record field(s).</source>
      <translation>
        <numerusform>Nothing was imported: the gateway found %n invalid record field.</numerusform>
        <numerusform>Nothing was imported: the gateway found %n invalid record fields.</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>mandate::ui::ReplayPanel</name>
    <message numerus="yes">
      <source>Replaying… %Ln recorded decision(s) re-decided</source>
      <translation>
        <numerusform>Replaying… %Ln recorded decision re-decided</numerusform>
        <numerusform>Replaying… %Ln recorded decisions re-decided</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Cancelled after %Ln recorded decision(s); the results so far are shown.</source>
      <translation>
        <numerusform>Cancelled after %Ln recorded decision; the results so far are shown.</numerusform>
        <numerusform>Cancelled after %Ln recorded decisions; the results so far are shown.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Replayed %Ln recorded decision(s): %1 newly denied, %2 newly allowed.</source>
      <translation>
        <numerusform>Replayed %Ln recorded decision: %1 newly denied, %2 newly allowed.</numerusform>
        <numerusform>Replayed %Ln recorded decisions: %1 newly denied, %2 newly allowed.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%Ln skipped (no longer fitting the schema), e.g. %1</source>
      <translation>
        <numerusform>%Ln skipped (no longer fitting the schema), e.g. %1</numerusform>
        <numerusform>%Ln skipped (no longer fitting the schema), e.g. %1</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>mandate::ui::ReviewDialog</name>
    <message numerus="yes">
      <source>Push %n change(s)</source>
      <translation>
        <numerusform>Push %n change</numerusform>
        <numerusform>Push %n changes</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n record(s) are invalid; fix them before pushing.</source>
      <translation>
        <numerusform>%n record is invalid; fix it before pushing.</numerusform>
        <numerusform>%n records are invalid; fix them before pushing.</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>mandate::ui::ShipDialog</name>
    <message numerus="yes">
      <source>The replay re-decided %n recorded request(s):</source>
      <translation>
        <numerusform>The replay re-decided %n recorded request:</numerusform>
        <numerusform>The replay re-decided %n recorded requests:</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n recorded request(s) no longer fit the schema and were skipped.</source>
      <translation>
        <numerusform>%n recorded request no longer fits the schema and was skipped.</numerusform>
        <numerusform>%n recorded requests no longer fit the schema and were skipped.</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>mandate::ui::SimulatorView</name>
    <message numerus="yes">
      <source>✓ %n policies parse</source>
      <translation>
        <numerusform>✓ %n policy parses</numerusform>
        <numerusform>✓ %n policies parse</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>, %n template(s)</source>
      <translation>
        <numerusform>, %n template</numerusform>
        <numerusform>, %n templates</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>mandate::ui::WhatIfPanel</name>
    <message numerus="yes">
      <source>Pick one of %n recorded request(s)</source>
      <translation>
        <numerusform>Pick one of %n recorded request</numerusform>
        <numerusform>Pick one of %n recorded requests</numerusform>
      </translation>
    </message>
  </context>
</TS>
