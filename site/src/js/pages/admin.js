// admin.html — the admin console. Each tab is a module under ../admin/:
//   dashboard.js     live KPIs, the sales chart (sales-chart.js), per event / per sector tables,
//                    the stock window (inventory.js) and the orders export (csv.js)
//   editor.js        the event editor (create, edit; time zones in tz.js)
//   events-list.js   the events and their actions (pause, resume, cancel, delete)
//   queue.js         Fila de espera: the waiting room of an event, live, and its settings
//   gate.js          Portaria: the check-in report and gate staff accounts
//   audit.js         Auditoria: the audit log, filtered by event and action
// layout.js draws the frame and the tabs; errors.js says what a refusal means from its code.
import { session } from '../api.js';
import { t } from '../i18n.js';
import { initPage, $, h, mount, requireLogin, every } from '../ui.js';
import { DASHBOARD_REFRESH_MS } from '../config.js';
import { TABS } from '../admin/state.js';
import { buildLayout, selectTab, currentTab } from '../admin/layout.js';
import { dashboardPanel, loadDashboard, wireDashboard } from '../admin/dashboard.js';
import { renderForm, save } from '../admin/editor.js';
import { eventsPanel, loadList, wireEventsList } from '../admin/events-list.js';
import { gatePanel, wireGatePanel, loadGateReport } from '../admin/gate.js';
import { queuePanel, wireQueuePanel, loadQueuePanel } from '../admin/queue.js';
import { auditPanel, wireAudit, loadAudit } from '../admin/audit.js';

const root = $('#admin-root');

await initPage();
if (requireLogin()) {
  if (!session.isAdmin) {
    mount(root, h('div', { class: 'card mx-auto max-w-lg p-10 text-center' },
      h('p', { class: 'text-lg font-semibold text-slate-800', dataset: { testid: 'forbidden' } }, t('admin.forbidden')),
      h('a', { class: 'btn-primary mt-4', href: 'index.html' }, t('nav.events'))));
  } else {
    buildLayout(root, {
      dashboard: dashboardPanel(), events: eventsPanel(), queue: queuePanel(), gate: gatePanel(), audit: auditPanel(),
    });
    renderForm();
    $('#event-form').addEventListener('submit', save);
    wireEventsList();
    wireDashboard();
    wireGatePanel();
    wireQueuePanel();
    wireAudit();
    const wanted = location.hash.slice(1);
    selectTab(TABS.includes(wanted) ? wanted : 'dashboard');
    await Promise.all([loadDashboard(), loadList()]);
    // The tab opened first may have listed before the events were known (names, zones).
    if (currentTab() === 'audit') loadAudit();
    loadGateReport();
    loadQueuePanel();
    every(DASHBOARD_REFRESH_MS, loadDashboard);
    every(DASHBOARD_REFRESH_MS, loadGateReport);
    every(DASHBOARD_REFRESH_MS, loadQueuePanel);
  }
}
