#include "UidlState.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>

#include "DurableFile.h"

namespace pop3::cli {

std::set<std::string> UidlState::load(const std::string& fileName) {
    std::set<std::string> uids;
    if (!Poco::File(fileName).exists())
        return uids;
    Poco::FileInputStream in(fileName);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (!line.empty())
            uids.insert(line);
    }
    return uids;
}

void UidlState::save(const std::string& fileName, const std::vector<std::string>& uids) {
    std::string content;
    for (const std::string& uid : uids)
        content += uid + "\n";
    DurableFile::replace(fileName, content);
}

} // namespace pop3::cli
