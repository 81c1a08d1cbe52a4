import "./app.css";
import { App } from "./ui/App";

new App();
