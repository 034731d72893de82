import { check, echo, later, Lines, Report, UserRepo, Users } from "./service";

const results = [
  (await new Users().getUser("ada")).name,
  (await new UserRepo().get("linus")).name,
  String(await new UserRepo().warm()),
  await new Lines().read(),
  await new Report().run(),
  await echo.handle("hi"),
  String((await check()).value),
  await later("bye"),
];
console.log(results.join(" "));
