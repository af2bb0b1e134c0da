// Starts GOV.UK Frontend's components (error summaries, details, the header menu...).
import { initAll } from "../dist/govuk-frontend.min.js";

initAll();
