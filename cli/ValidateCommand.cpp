#include "ValidateCommand.h"

#include "pop3/mock/ScenarioLoader.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

namespace pop3::cli {

namespace {

ExitStatus runValidate(const std::vector<std::string>& files) {
    std::size_t invalid = 0;
    for (const std::string& file : files) {
        const std::vector<mock::Diagnostic> diagnostics = mock::ScenarioLoader::validateFile(file);
        if (diagnostics.empty()) {
            std::cout << file << ": ok\n";
            continue;
        }
        ++invalid;
        for (const mock::Diagnostic& diagnostic : diagnostics)
            std::cout << diagnostic.toString() << '\n';
    }
    if (files.size() > 1)
        std::cout << files.size() << " files: " << files.size() - invalid << " valid, " << invalid
                  << " invalid\n";
    return invalid > 0 ? ExitStatus::usage : ExitStatus::ok;
}

} // namespace

void addValidateCommand(CLI::App& app, CommandRunner& runner) {
    auto files = std::make_shared<std::vector<std::string>>();
    CLI::App* validate =
        app.add_subcommand("validate", "Check scenario files without running them");
    validate->add_option("files", *files, "Scenario files")->type_name("FILE")->required();
    validate->footer(
        "Prints 'FILE: ok', or each problem as FILE:LINE:COLUMN: message.\nExit status: "
        "0 every file is valid, 2 a file is invalid or unreadable.");
    validate->callback([&runner, files] { runner = [files] { return runValidate(*files); }; });
}

} // namespace pop3::cli
