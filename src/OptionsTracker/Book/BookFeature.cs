namespace OptionsTracker.Book;

public static class BookFeature
{
    public static void AddBook(this WebApplicationBuilder builder)
    {
        // The store (IOptionStore) is chosen by Store.StoreFeature from configuration and role.
        builder.Services.AddSingleton<OptionBook>();
    }
}
