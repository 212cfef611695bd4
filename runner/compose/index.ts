// Docker Compose configurations through the real Compose CLI (v2): finding it, naming the project as
// the reference does, reading the effective project, devrig's override (labels on every service),
// the project's lifecycle, and observing its containers by labels. Pure where it can be; the CLI and
// the engine are at the edges (composeProcess.ts, composeProject.ts, observeProject).
export { ComposeUnavailableError, findComposeCli, parseComposeVersion } from './composeCli';
export type { ComposeCli, ComposeVersion, FindComposeOptions } from './composeCli';
export {
  ComposeModelError,
  oneShotServices,
  parseComposeModel,
  servicesToRun,
  startedServices,
  unknownServices,
} from './composeModel';
export type { ComposeModel, ComposeService } from './composeModel';
export { ProgramNotFoundError, runProcess } from './composeProcess';
export type { ProcessResult, ProcessRunner } from './composeProcess';
export { ComposeCommandError, ComposeProject, OVERRIDE_FILE, readComposeModel } from './composeProject';
export type { CommandOptions, ComposeProjectOptions, RecreatePolicy } from './composeProject';
export {
  anonymousVolumes,
  COMPOSE_LABELS,
  configDriftedServices,
  decideComposeAction,
  findForeignContainers,
  foreignContainers,
  isDone,
  observeProject,
  observeServices,
} from './observe';
export type { ComposeAction, ServiceObservation } from './observe';
export { COMPOSE_SERVICE_LABEL, composeOverride, publishedPortNotes } from './override';
export { removeComposeProject } from './removeProject';
export type { ComposeOverride, DevServiceSettings, OverrideInput } from './override';
export { composeProjectName, readProjectNameInputs, toProjectName } from './projectName';
export type { ProjectNameInputs } from './projectName';
export { serviceContainerRequest, serviceContainerRequests } from './serviceRequest';
export type { RequestProvenance, ServiceContainerRequest } from './serviceRequest';
export { composeKeyLocator, locateServiceRequest } from './serviceLocations';
export type { KeyLocation } from './serviceLocations';
