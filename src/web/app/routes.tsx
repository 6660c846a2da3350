import { Redirect, Route, Switch } from 'wouter';
import { AlertPage } from '../features/alerts/alert-page.js';
import { AlertsPage } from '../features/alerts/alerts-page.js';
import { BacklogPage } from '../features/alerts/backlog-page.js';
import { AuditPage } from '../features/audit/audit-page.js';
import { DeclareIncidentPage } from '../features/incidents/declare-incident.js';
import { IncidentPage } from '../features/incidents/incident-page.js';
import { IncidentsPage } from '../features/incidents/incidents-page.js';
import { StatusPagePage } from '../features/status-pages/status-page-page.js';
import { StatusPagesPage } from '../features/status-pages/status-pages-page.js';
import { PlaybooksPage } from '../features/playbooks/playbooks-page.js';
import { postmortemRoutes } from '../features/postmortems/postmortem-routes.js';
import { HoursReportPage, MyOnCallPage, PoliciesPage, PolicyPage, SchedulePage, SchedulesPage } from '../features/oncall/oncall-pages.js';
import { ContactMethodsPage } from '../features/contact-methods/contact-methods-page.js';
import { ProfilePage } from '../features/settings/profile-page.js';
import { IncidentSettingsPage } from '../features/incident-settings/incident-settings-page.js';
import { ProviderPage } from '../features/providers/provider-page.js';
import { ProvidersPage } from '../features/providers/providers-page.js';
import { ServicePage } from '../features/services/service-page.js';
import { ServicesPage } from '../features/services/services-page.js';
import { MaintenanceWindowsPage, SilencesPage } from '../features/suppression/suppression-pages.js';
import { SettingsLayout } from '../features/settings/settings-layout.js';
import { TeamPage } from '../features/teams/team-page.js';
import { TeamsPage } from '../features/teams/teams-page.js';
import { TokensPage } from '../features/tokens/tokens-page.js';
import { UserPage } from '../features/users/user-page.js';
import { UsersPage } from '../features/users/users-page.js';
import { EmptyState, PageHeader } from '../ui/page.js';
import { HomePage } from './home-page.js';
import { upcomingAreas } from './navigation.js';

/** The signed-in pages. Areas later work fills in show an honest placeholder. */
export function AppRoutes() {
  return (
    <Switch>
      <Route path="/" component={HomePage} />
      <Route path="/alerts" component={AlertsPage} />
      <Route path="/backlog" component={BacklogPage} />
      <Route path="/alerts/:alert">{(params) => <AlertPage alert={params.alert} />}</Route>
      <Route path="/incidents" component={IncidentsPage} />
      <Route path="/incidents/new" component={DeclareIncidentPage} />
      <Route path="/incidents/:incident">{(params) => <IncidentPage incident={params.incident} />}</Route>
      <Route path="/status-pages" component={StatusPagesPage} />
      <Route path="/status-pages/:page">{(params) => <StatusPagePage page={params.page} />}</Route>
      <Route path="/playbooks" component={PlaybooksPage} />
      {postmortemRoutes}
      <Route path="/services" component={ServicesPage} />
      <Route path="/maintenance-windows" component={MaintenanceWindowsPage} />
      <Route path="/silences" component={SilencesPage} />
      <Route path="/services/:service">{(params) => <ServicePage service={params.service} />}</Route>
      <Route path="/teams" component={TeamsPage} />
      <Route path="/teams/:team">{(params) => <TeamPage team={params.team} />}</Route>
      <Route path="/users" component={UsersPage} />
      <Route path="/users/:user">{(params) => <UserPage user={params.user} />}</Route>
      <Route path="/oncall" component={MyOnCallPage} />
      <Route path="/oncall/schedules" component={SchedulesPage} />
      <Route path="/oncall/schedules/:schedule">{(params) => <SchedulePage schedule={params.schedule} />}</Route>
      <Route path="/oncall/escalation-policies" component={PoliciesPage} />
      <Route path="/oncall/escalation-policies/:policy">{(params) => <PolicyPage policy={params.policy} />}</Route>
      <Route path="/oncall/reports/hours" component={HoursReportPage} />
      <Route path="/settings">
        <Redirect to="/settings/profile" replace />
      </Route>
      <Route path="/settings/profile">
        <SettingsLayout>
          <ProfilePage />
        </SettingsLayout>
      </Route>
      <Route path="/settings/contact-methods">
        <SettingsLayout>
          <ContactMethodsPage />
        </SettingsLayout>
      </Route>
      <Route path="/settings/tokens">
        <SettingsLayout>
          <TokensPage />
        </SettingsLayout>
      </Route>
      <Route path="/settings/providers">
        <SettingsLayout>
          <ProvidersPage />
        </SettingsLayout>
      </Route>
      <Route path="/settings/providers/:provider">
        {(params) => (
          <SettingsLayout>
            <ProviderPage provider={params.provider} />
          </SettingsLayout>
        )}
      </Route>
      <Route path="/settings/incidents">
        <SettingsLayout>
          <IncidentSettingsPage />
        </SettingsLayout>
      </Route>
      <Route path="/settings/audit">
        <SettingsLayout>
          <AuditPage />
        </SettingsLayout>
      </Route>
      {upcomingAreas.map((area) => (
        <Route key={area.href} path={area.href}>
          <PageHeader title={area.label} description={area.upcoming} />
          <EmptyState title="Not available yet">
            <p>This part of Firebreak is still being built. It appears here once it works end to end.</p>
          </EmptyState>
        </Route>
      ))}
      <Route>
        <PageHeader title="Page not found" />
        <EmptyState title="There is no page at this address">
          <p>Check the link, or pick a page from the navigation.</p>
        </EmptyState>
      </Route>
    </Switch>
  );
}
