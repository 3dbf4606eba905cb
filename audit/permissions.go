package audit

// GraphPermission is one Microsoft Graph permission with its delegated (scope) and
// application (role) ids; an empty id means Graph offers no such type.
type GraphPermission struct {
	Name        string
	Delegated   string
	Application string
}

// GraphPermissions is the fallback for naming Graph permissions when the tenant's
// Graph service principal could not be read. The tenant's own catalogue wins.
var GraphPermissions = []GraphPermission{
	{"Chat.ReadWrite.All", "7e9a077b-3711-42b9-b7cb-5fa5f3f7fea7", "294ce7c9-31ba-490a-ad7d-97a7d075e4ed"},
	{"Directory.Read.All", "06da0dbc-49e2-44d2-8312-53f166ab848a", "7ab1d382-f21e-4acd-a863-ba3e13f7da61"},
	{"Presence.Read.All", "9c7a330d-35b3-4aa1-963d-cb2b9f927841", "a70e0c2d-e793-494c-94c4-118fa0a67f42"},
	{"User.Read.All", "a154be20-db9c-4678-8ab7-66f6cc099a59", "df021288-bdef-4463-88db-98f22de89214"},
	{"User.ReadBasic.All", "b340eb25-3456-403f-be2f-af7a0d370277", "97235f07-e226-4f63-ace3-39588e11d3a1"},
	{"Chat.Read.All", "", "6b7d71aa-70aa-4810-a8d9-5d9fb2830017"},
	{"ChatMessage.Read.All", "", "b9bb2381-47a4-46cd-aafb-00cb12f68504"},
	{"ChannelMessage.Read.All", "767156cb-16ae-4d10-8f8b-41b657c8c8c8", "7b2449af-6ccd-4f4d-9f78-e550c193f0d1"},
	{"Group.ReadWrite.All", "4e46008b-f24c-477d-8fff-7bb4ec7aafe0", "62a82d76-70ea-41e2-9197-370581804d09"},
}
