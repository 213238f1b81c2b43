// docs/scenario.schema.json and the loader accept the same keys: each key table of the loader
// is a definition "$defs/<context>" whose properties are exactly its keys, and every definition
// with properties is a key table. Enumerations shared with code tables are compared too.

#include "pop3/CommandTable.h"
#include "pop3/mock/Fault.h"
#include "pop3/mock/ScenarioLoader.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using pop3::mock::ScenarioLoader;

Object::Ptr schema() {
    std::ifstream in(std::string(POP3_DOCS_DIR) + "/scenario.schema.json", std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return Poco::JSON::Parser().parse(text).extract<Object::Ptr>();
}

Object::Ptr definitions() {
    return schema()->getObject("$defs");
}

std::set<std::string> keysOf(const Object::Ptr& object) {
    std::set<std::string> keys;
    if (!object)
        return keys;
    for (const auto& [key, value] : *object)
        keys.insert(key);
    return keys;
}

std::set<std::string> enumOf(const Object::Ptr& object) {
    std::set<std::string> values;
    Array::Ptr list = object ? object->getArray("enum") : nullptr;
    if (list)
        for (std::size_t i = 0; i < list->size(); ++i)
            values.insert(list->getElement<std::string>(static_cast<unsigned>(i)));
    return values;
}

TEST(ScenarioSchemaTest, IsDraft202012AndStartsAtTheScenario) {
    Object::Ptr root = schema();
    EXPECT_EQ("https://json-schema.org/draft/2020-12/schema",
              root->getValue<std::string>("$schema"));
    EXPECT_EQ("#/$defs/scenario", root->getValue<std::string>("$ref"));
}

TEST(ScenarioSchemaTest, EveryKeyTableIsADefinitionWithTheSameProperties) {
    Object::Ptr defs = definitions();
    for (const auto& table : ScenarioLoader::keyTables()) {
        const std::string context(table.context);
        Object::Ptr definition = defs->getObject(context);
        ASSERT_TRUE(definition) << "no $defs/" << context << " in the schema";
        const std::set<std::string> loader(table.keys.begin(), table.keys.end());
        EXPECT_EQ(loader, keysOf(definition->getObject("properties")))
            << "keys of '" << context << "' differ between the loader and the schema";
        EXPECT_FALSE(definition->getValue<bool>("additionalProperties"))
            << "$defs/" << context << " must refuse unknown keys, as the loader does";
    }
}

TEST(ScenarioSchemaTest, EveryDefinitionWithPropertiesIsAKeyTable) {
    Object::Ptr defs = definitions();
    for (const auto& [name, value] : *defs) {
        Object::Ptr definition = value.extract<Object::Ptr>();
        if (!definition->has("properties"))
            continue;
        EXPECT_NO_THROW(ScenarioLoader::keyTable(name))
            << "$defs/" << name << " has properties but the loader has no key table for it";
    }
}

TEST(ScenarioSchemaTest, FaultNamesMatchTheFaultTable) {
    std::set<std::string> names;
    for (const auto& spec : pop3::mock::kFaultTable)
        names.emplace(spec.name);
    Object::Ptr fault =
        definitions()->getObject("rule")->getObject("properties")->getObject("fault");
    EXPECT_EQ(names, enumOf(fault));
}

TEST(ScenarioSchemaTest, CommandNamesMatchTheCommandTable) {
    std::set<std::string> names;
    for (const auto& spec : pop3::kCommandTable)
        names.emplace(spec.name);
    Object::Ptr expectations = definitions()->getObject("expectations")->getObject("properties");
    EXPECT_EQ(names, enumOf(expectations->getObject("commandsInOrder")->getObject("items")));

    names.insert("*");
    names.insert("greeting");
    Object::Ptr command =
        definitions()->getObject("rule")->getObject("properties")->getObject("command");
    EXPECT_EQ(names, enumOf(command));
}

} // namespace
