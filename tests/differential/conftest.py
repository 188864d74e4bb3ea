"""Prints, at the end of a run, where minigrad deliberately differs from Paddle 1.8.5 and which
errors both raise (test_differential records them as user properties)."""


def pytest_terminal_summary(terminalreporter):
    deliberate, errors = [], []
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue
            for name, value in getattr(report, "user_properties", ()):
                if name == "deliberate_difference":
                    deliberate.append(value)
                elif name == "both_raise":
                    errors.append(value)
    if deliberate:
        terminalreporter.section("minigrad vs Paddle 1.8.5: deliberate differences")
        for line in deliberate:
            terminalreporter.write_line(line)
    if errors and terminalreporter.config.option.verbose > 0:
        terminalreporter.section("minigrad vs Paddle 1.8.5: errors both raise (types)")
        for line in errors:
            terminalreporter.write_line(line)
